package dev.mailroute.ingress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import dev.mailroute.ingress.file.InboxFiles;
import dev.mailroute.ingress.file.RejectedFolder;
import dev.mailroute.support.LogCapture;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What lands in an inbox besides mail: links, FIFOs, folders, empty files, names too long or not
 * text at all. Each ends delivered, or in rejected/ under a safe name with its reason — unread
 * where reading would be the attack — or, when it cannot be moved, is logged once; none stops or
 * slows the files around it.
 */
class InboxHostileFilesTest {

    private static final String MESSAGE = "From: app@example.com\r\nTo: ops@example.com\r\nSubject: hi\r\n\r\nhello\r\n";
    private static final String UNDECODABLE_REJECTED =
            "mailroute_inbox_undecodable_names_total\\{outcome=\"rejected\"}";
    private static final String UNDECODABLE_LEFT = "mailroute_inbox_undecodable_names_total\\{outcome=\"left\"}";

    @TempDir
    Path data;

    @TempDir
    Path outside;

    private TestGateway gateway;
    private Path inbox;

    @BeforeEach
    void start() {
        gateway = TestGateway.on(data).start();
        inbox = gateway.folder("inbox");
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void aLinkIsMovedAsideUnreadAndWhatItPointsAtIsNeverDelivered() throws Exception {
        Path secret = Files.writeString(outside.resolve("secret.eml"),
                "From: root@example.com\r\nTo: attacker@example.com\r\nSubject: shadow\r\n\r\nroot:x:0:0\r\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(inbox.resolve("leak.eml"), secret);

        Path reason = gateway.folder("rejected").resolve("leak.eml.error.txt");
        Path kept = gateway.folder("rejected").resolve("leak.eml");
        // the reason file is written last (RejectedFolder): once it is there, so is the link
        await().until(() -> Files.exists(reason));
        assertThat(Files.isSymbolicLink(kept)).as("the link itself, moved").isTrue();
        assertThat(Files.readString(reason)).contains("is a symbolic link (the inbox never follows links)");
        assertThat(inbox.resolve("leak.eml")).doesNotExist();
        gateway.awaitQueueEmpty();
        assertThat(gateway.files("pickup")).isEmpty();
        assertThat(gateway.metric("mailroute_messages_accepted_total\\{ingress=\"file\"}")).isEqualTo(-1);
    }

    @Test
    @DisabledOnOs(value = OS.WINDOWS, disabledReason = "FIFOs (mkfifo) are a Unix file type")
    void aFifoIsMovedAsideWithoutBeingOpened() throws Exception {
        Path fifo = inbox.resolve("pipe.json");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        dropValid("after-fifo.json");

        Path reason = gateway.folder("rejected").resolve("pipe.json.error.txt");
        await().until(() -> Files.exists(reason));
        assertThat(Files.readString(reason)).contains("not a regular file (a FIFO");
        assertThat(Files.isRegularFile(gateway.folder("rejected").resolve("pipe.json"), LinkOption.NOFOLLOW_LINKS))
                .isFalse();
        gateway.awaitFiles("pickup", 1);
    }

    @Test
    void anEmptyFileIsRejectedAtOnceAndDoesNotHoldUpTheOthers() throws Exception {
        Files.createFile(inbox.resolve("empty-1.json"));
        Files.createFile(inbox.resolve("empty-2.eml"));
        dropValid("good.json");

        // the read lock used to wait for a non-empty file until it gave up (10 s), again every poll
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.files("pickup").size() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() ->
                Files.exists(gateway.folder("rejected").resolve("empty-1.json.error.txt"))
                && Files.exists(gateway.folder("rejected").resolve("empty-2.eml.error.txt")));
        assertThat(Files.readString(gateway.folder("rejected").resolve("empty-1.json.error.txt"))).contains("$: is empty");
    }

    @Test
    void rejectedFilesAreReadableByMailroutesUserOnly() throws Exception {
        Files.writeString(inbox.resolve("bad.json"), "{\"from\": \"nobody\"}");
        Path kept = gateway.folder("rejected").resolve("bad.json");
        await().until(() -> Files.exists(kept.resolveSibling("bad.json.error.txt")));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kept))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kept.resolveSibling(
                "bad.json.error.txt")))).isEqualTo("rw-------");
    }

    @Test
    void aNameTooLongForItsReasonFileIsShortenedAndSaidSo() throws Exception {
        String name = "x".repeat(240) + ".json";
        Files.writeString(inbox.resolve(name), "{\"from\": \"nobody\"}");
        await().until(() -> !Files.exists(inbox.resolve(name)));
        List<Path> rejected = gateway.files("rejected");
        assertThat(rejected).hasSize(2);
        Path reason = rejected.stream().filter(p -> p.toString().endsWith(".error.txt")).findFirst().orElseThrow();
        assertThat(reason.getFileName().toString().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
        assertThat(Files.readString(reason)).contains("mailroute rejected " + name)
                .contains("Its name was too long").contains("it is kept as x")
                .contains("from: 'nobody' is not a valid address");
    }

    @Test
    void aNameWithANewlineIsRejectedUnderACleanName() throws Exception {
        Files.writeString(inbox.resolve("two\nlines.json"), MailRequests.json(MailRequests.minimal().put("from", "x")));
        // the reason file is written last (RejectedFolder.keep): once it is there, so is the copy
        await().until(() -> Files.exists(gateway.folder("rejected").resolve("two_lines.json.error.txt")));
        assertThat(gateway.folder("rejected").resolve("two_lines.json")).exists();
        assertThat(Files.readString(gateway.folder("rejected").resolve("two_lines.json.error.txt")))
                .startsWith("mailroute rejected two\\x0alines.json (ingress file)");
    }

    @Test
    void aValidFileWithANewlineInItsNameIsDelivered() throws Exception {
        dropValid("two\nlines.json");
        gateway.awaitFiles("pickup", 1);
        gateway.awaitInboxEmpty();
        assertThat(gateway.files("rejected")).isEmpty();
    }

    /** C1 controls (NEL is a line break to some tools) and a right-to-left override that disguises ".exe". */
    @Test
    void invisibleAndLineBreakingCharactersAreEscapedInTheReasonAndReplacedInTheKeptName() throws Exception {
        Files.writeString(inbox.resolve("a\u0085b\u202egpj.json"), "{\"from\": \"nobody\"}");
        Path reason = gateway.folder("rejected").resolve("a_b_gpj.json.error.txt");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(reason));
        assertThat(Files.readString(reason)).startsWith("mailroute rejected a\\u0085b\\u202egpj.json (ingress file)")
                .contains("it is kept as a_b_gpj.json");
        assertThat(gateway.folder("rejected").resolve("a_b_gpj.json")).exists();
    }

    /**
     * Nine earlier rejections of the same long name take the counters -2 to -9; the tenth needs
     * "-10", and its reason file, written as .NAME-10.json.error.txt.part, must still fit in 255 bytes.
     */
    @Test
    void aLongNameRejectedAgainAndAgainAlwaysGetsItsReasonFile() throws Exception {
        String base = "r".repeat(232);
        Path rejected = gateway.folder("rejected");
        for (int n = 1; n <= 9; n++) {
            String kept = base + (n == 1 ? "" : "-" + n) + ".json";
            Files.writeString(rejected.resolve(kept), "earlier");
            Files.writeString(rejected.resolve(kept + ".error.txt"), "earlier");
        }
        String name = base + ".json";
        Files.writeString(inbox.resolve(name), "{\"from\": \"nobody\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> reasons().size() == 10);
        gateway.awaitInboxEmpty();
        Path reason = reasons().stream().filter(p -> {
            try {
                return !Files.readString(p).equals("earlier");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).findFirst().orElseThrow();
        assertThat(Files.readString(reason)).startsWith("mailroute rejected " + name)
                .contains("from: 'nobody' is not a valid address");
        for (Path file : gateway.files("rejected")) {
            assertThat(file.getFileName().toString().getBytes(StandardCharsets.UTF_8).length + ".part".length() + 1)
                    .isLessThanOrEqualTo(255);
        }
    }

    @Test
    void aFolderIsLoggedAtMostOnceAndLeftAlone() throws Exception {
        try (LogCapture log = LogCapture.of(InboxFiles.class)) {
            Files.createDirectory(inbox.resolve("folder.json"));
            dropValid("next-to-it.json");
            gateway.awaitFiles("pickup", 1);
            dropValid("and-after-more-polls.json");
            gateway.awaitFiles("pickup", 2);
            // Camel's listing does not offer a folder to the inbox at all (not recursive): never in the log
            // more than once, never moved
            assertThat(log.lines().stream().filter(l -> l.contains("folder.json"))).hasSizeLessThanOrEqualTo(1);
        }
        assertThat(inbox.resolve("folder.json")).isDirectory();
    }

    /**
     * The JVM decodes the name's bytes ff fe to U+FFFD U+FFFD, a name that addresses no file: it
     * could never be opened, and used to lie in the inbox for good. It is moved aside by its bytes.
     */
    @Test
    void aNameThatIsNotUtf8IsMovedAsideWithItsBytesShown() throws Exception {
        double before = Math.max(0, gateway.metric(UNDECODABLE_REJECTED));
        try (LogCapture log = LogCapture.of(RejectedFolder.class)) {
            createWithRawName(inbox, "\\377\\376.eml");
            Path reason = gateway.folder("rejected").resolve("__.eml.error.txt");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(reason));
            assertThat(Files.readString(reason)).startsWith("mailroute rejected \\xff\\xfe.eml (ingress file)")
                    .contains("it is kept as __.eml")
                    .contains("its name is not valid UTF-8 (bytes ff fe 2e 65 6d 6c)");
            assertThat(gateway.folder("rejected").resolve("__.eml")).hasContent(MESSAGE);
            gateway.awaitInboxEmpty();
            assertThat(log.lines()).anyMatch(l -> l.startsWith("WARN rejected \\xff\\xfe.eml: its name is not valid"
                                                               + " UTF-8 (bytes ff fe 2e 65 6d 6c)"));
        }
        assertThat(gateway.metric(UNDECODABLE_REJECTED) - before).isEqualTo(1);
    }

    /**
     * rejected/ on another file system: nothing can be moved there in one step, so the file stays, said
     * once. Start refuses such a rejected folder, so here it becomes one while mailroute runs (a link to
     * /dev/shm in its place, as a folder mounted over it would).
     */
    @Test
    void aNameThatIsNotUtf8AndCannotBeMovedIsLoggedOnceWithItsBytesAndCounted() throws Exception {
        Path shm = Path.of("/dev/shm");
        Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm)
                               && !Files.getFileStore(shm).equals(Files.getFileStore(data)), "needs a second file system");
        Path elsewhere = Scratch.folder(shm, "mailroute-rejected");
        Path rejected = gateway.folder("rejected");
        Path aside = rejected.resolveSibling("rejected-aside");
        Files.move(rejected, aside);
        Files.createSymbolicLink(rejected, elsewhere);
        try (LogCapture log = LogCapture.of(InboxFiles.class)) {
            double before = Math.max(0, gateway.metric(UNDECODABLE_LEFT));
            createWithRawName(inbox, "bad\\377name.json");
            await().atMost(Duration.ofSeconds(20)).until(() -> gateway.metric(UNDECODABLE_LEFT) - before == 1);
            dropValid("next-to-it.json");
            gateway.awaitFiles("pickup", 1);
            dropValid("after-more-polls.json");
            gateway.awaitFiles("pickup", 2);
            assertThat(log.lines().stream().filter(l -> l.contains("name.json"))).containsExactly(
                    "WARN inbox: skipping bad\\xffname.json: its name is not valid UTF-8 (bytes 62 61 64 ff 6e 61 6d"
                    + " 65 2e 6a 73 6f 6e), and it cannot be moved into the rejected folder; rename it");
            assertThat(gateway.metric(UNDECODABLE_LEFT) - before).isEqualTo(1);
        } finally {
            Files.delete(rejected);
            Files.move(aside, rejected);
            try (Stream<Path> left = Files.list(elsewhere)) {
                left.forEach(p -> p.toFile().delete());
            }
            Files.deleteIfExists(elsewhere);
        }
        try (Stream<Path> left = Files.list(inbox)) {
            assertThat(left.filter(p -> !p.getFileName().toString().startsWith("."))).hasSize(1);
        }
    }

    /** Java cannot name such a file; the shell can (printf's octal escapes give the bytes). */
    private static void createWithRawName(Path folder, String printfName) throws Exception {
        Process mk = new ProcessBuilder("sh", "-c", "printf '%s' \"$0\" > \"$(printf '" + printfName + "')\"", MESSAGE)
                .directory(folder.toFile()).redirectErrorStream(true).start();
        assertThat(mk.waitFor()).as(new String(mk.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
    }

    private List<Path> reasons() {
        return gateway.files("rejected").stream().filter(p -> p.toString().endsWith(".error.txt")).toList();
    }

    private void dropValid(String name) throws IOException {
        gateway.drop(name, MailRequests.json(MailRequests.minimal()));
    }
}
