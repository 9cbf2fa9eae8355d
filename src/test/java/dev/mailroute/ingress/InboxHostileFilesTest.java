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
import dev.mailroute.support.LogCapture;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What lands in an inbox besides mail: links, FIFOs, folders, empty files, names too long or not
 * text at all. Each ends in rejected/ with its reason — unread where reading would be the attack —
 * or is logged once; none stops or slows the files around it.
 */
class InboxHostileFilesTest {

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
        await().until(() -> Files.exists(reason));
        Path kept = gateway.folder("rejected").resolve("leak.eml");
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
        await().until(() -> Files.exists(kept.resolveSibling("bad.json.error.txt")) && Files.exists(kept));
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
                .contains("Its name was too long or had control characters in it; it is kept as x")
                .contains("from: 'nobody' is not a valid address");
    }

    @Test
    void aNameWithANewlineIsRejectedUnderACleanName() throws Exception {
        Files.writeString(inbox.resolve("two\nlines.json"), MailRequests.json(MailRequests.minimal().put("from", "x")));
        await().until(() -> Files.exists(gateway.folder("rejected").resolve("two_lines.json.error.txt")));
        assertThat(Files.readString(gateway.folder("rejected").resolve("two_lines.json.error.txt")))
                .startsWith("mailroute rejected two\\x0alines.json (ingress file)");
        assertThat(gateway.folder("rejected").resolve("two_lines.json")).exists();
    }

    @Test
    void whatCannotBeMovedIsLoggedOnceAndLeftAlone() throws Exception {
        try (LogCapture log = LogCapture.of(InboxFiles.class)) {
            Files.createDirectory(inbox.resolve("folder.json"));
            // a name whose bytes are not UTF-8: made by the shell, since Java cannot even name it
            Process mk = new ProcessBuilder("sh", "-c", "printf '{}' > \"$(printf 'bad\\377name.json')\"")
                    .directory(inbox.toFile()).start();
            assertThat(mk.waitFor()).isZero();
            dropValid("next-to-them.json");
            gateway.awaitFiles("pickup", 1);
            // many polls later, still one line each
            await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
            // Camel's listing does not offer a folder to the inbox at all (not recursive): never in the log
            // more than once, never moved
            assertThat(log.lines().stream().filter(l -> l.contains("folder.json"))).hasSizeLessThanOrEqualTo(1);
            assertThat(log.lines().stream().filter(l -> l.contains("name.json") && l.contains("encoding"))).hasSize(1);
        }
        try (Stream<Path> left = Files.list(inbox)) {
            assertThat(left.filter(p -> !p.getFileName().toString().startsWith("."))).as("the folder and the"
                    + " unreadable name stay").hasSize(2);
        }
    }

    private void dropValid(String name) throws IOException {
        gateway.drop(name, MailRequests.json(MailRequests.minimal()));
    }
}
