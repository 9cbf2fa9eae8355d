package dev.mailroute.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.mailroute.support.LogCapture;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What Windows refuses, played on Linux through the {@link Platform} seam, against the writers of
 * the real gateway: the pickup transport, failed/ (through a refused delivery) and rejected/ (through
 * a bad inbox file). A folder that cannot be opened for its sync never fails a delivery; a rename
 * that meets a lock a few times still lands, once; a rename that cannot be atomic is refused, never
 * copied.
 */
class WindowsBehaviourTest {

    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = TestGateway.on(Scratch.folder("mailroute-windows")).start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    /** A Linux platform whose folders cannot be opened as files, and whose first renames meet a lock. */
    private static final class Refusing extends Platform {
        final AtomicInteger locksLeft;
        final boolean crossVolume;

        Refusing(boolean windows, int locks, boolean crossVolume) {
            super(windows);
            this.locksLeft = new AtomicInteger(locks);
            this.crossVolume = crossVolume;
        }

        @Override
        protected FileChannel openFolder(Path folder) throws IOException {
            throw new AccessDeniedException(folder.toString()); // what Windows answers
        }

        @Override
        protected void moveOnce(Path from, Path to) throws IOException {
            if (crossVolume) {
                throw new AtomicMoveNotSupportedException(from.toString(), to.toString(), "other volume");
            }
            if (locksLeft.getAndDecrement() > 0) {
                throw new FileSystemException(from.toString(), to.toString(),
                        "The process cannot access the file because it is being used by another process");
            }
            super.moveOnce(from, to);
        }
    }

    private static boolean contains(Path file, String text) {
        try {
            return Files.readString(file).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void aFolderThatCannotBeSyncedNeverFailsADeliveryAndTheFileIsWrittenOnce() throws Exception {
        try (AutoCloseable windowsLike = Platform.use(new Refusing(false, 0, false));
             LogCapture events = LogCapture.of("mailroute.events")) {
            String id = gateway.submit(MailRequests.minimal().put("subject", "unsyncable folder"));
            await().atMost(Duration.ofSeconds(20)).until(() -> events.text().contains("event=delivered id=" + id));
            gateway.awaitQueueEmpty();
            assertThat(events.text()).doesNotContain("event=deferred id=" + id);
            assertThat(gateway.files("pickup")).filteredOn(f -> f.getFileName().toString().startsWith(id)).hasSize(1);
        }
    }

    @Test
    void onWindowsTheFolderIsNotSyncedAndThatIsSaidOnce() throws Exception {
        try (AutoCloseable windows = Platform.use(new Refusing(true, 0, false));
             LogCapture log = LogCapture.of(Platform.class);
             LogCapture events = LogCapture.of("mailroute.events")) {
            String id = gateway.submit(MailRequests.minimal().put("subject", "on windows"));
            await().atMost(Duration.ofSeconds(20)).until(() -> events.text().contains("event=delivered id=" + id));
            assertThat(log.text()).doesNotContain("cannot sync");
        }
    }

    @Test
    void renamesThatMeetALockAreTriedAgainAndEveryWriterLands() throws Exception {
        long before = Platform.retries();
        try (AutoCloseable locked = Platform.use(new Refusing(false, 3, false));
             LogCapture events = LogCapture.of("mailroute.events")) {
            // the pickup transport
            String id = gateway.submit(MailRequests.minimal().put("subject", "locked pickup"));
            await().atMost(Duration.ofSeconds(20)).until(() -> events.text().contains("event=delivered id=" + id));
            assertThat(Platform.retries() - before).isEqualTo(3);
            // rejected/: the copy and its reason
            ((Refusing) Platform.current()).locksLeft.set(2);
            gateway.drop("locked-bad.json", "{\"from\": \"me\"}");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(gateway.folder("rejected")
                    .resolve("locked-bad.json.error.txt")) && Files.exists(gateway.folder("rejected").resolve("locked-bad.json")));
            assertThat(Platform.retries() - before).isEqualTo(5);
        }
    }

    /** failed/: a message the relay refuses for good is parked, its record written through the same locks. */
    @Test
    void aParkedMessagesRecordLandsThroughLocksAndAnUnsyncableFolder() throws Exception {
        try (ScriptedSmtpServer relay = ScriptedSmtpServer.start();
             TestGateway smtp = TestGateway.on(Scratch.folder("mailroute-windows-failed")).smtp(relay.port())
                     .start();
             AutoCloseable locked = Platform.use(new Refusing(false, 2, false))) {
            relay.reply(ScriptedSmtpServer.Stage.RCPT, "550 5.1.1 no such user");
            long before = Platform.retries();
            String id = smtp.submit(MailRequests.minimal().put("subject", "parked through locks"));
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(smtp.folder("failed").resolve(id + ".eml"))
                                                               && Files.exists(smtp.folder("failed").resolve(id + ".json")));
            assertThat(Files.readString(smtp.folder("failed").resolve(id + ".json"))).contains("550 5.1.1 no such user");
            assertThat(Platform.retries() - before).isEqualTo(2);
        }
    }

    /** Windows: a file its writer still holds open (no sharing) is not taken; once let go, it is. */
    @Test
    void anInboxFileHeldOpenByItsWriterIsTakenOnlyOnceTheWriterLetsGo() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        AtomicBoolean held = new AtomicBoolean(true);
        Platform writerHoldsIt = new Platform(true) {
            @Override
            public boolean heldByAWriter(Path file) {
                if (file.getFileName().toString().equals("held.eml")) {
                    asked.incrementAndGet();
                    return held.get();
                }
                return false;
            }
        };
        try (AutoCloseable windows = Platform.use(writerHoldsIt)) {
            gateway.drop("held.eml", "X-Sender: app@example.com\r\nX-Receiver: ops@example.com\r\nFrom: app@example.com"
                                     + "\r\nTo: ops@example.com\r\nSubject: held by its writer\r\n\r\nbody\r\n");
            // the inbox looked at it twice and left it: still there, nothing delivered from it
            await().atMost(Duration.ofSeconds(20)).until(() -> asked.get() >= 2);
            assertThat(gateway.folder("inbox").resolve("held.eml")).exists();
            assertThat(gateway.files("pickup")).noneMatch(f -> contains(f, "Subject: held by its writer"));
            held.set(false);
            await().atMost(Duration.ofSeconds(20)).until(() -> gateway.files("pickup").stream()
                    .anyMatch(f -> contains(f, "Subject: held by its writer")));
        }
    }

    @Test
    void aRenameThatCannotBeAtomicIsRefusedNotCopiedAndTheMessageWaits() throws Exception {
        try (AutoCloseable crossVolume = Platform.use(new Refusing(false, 0, true));
             LogCapture events = LogCapture.of("mailroute.events")) {
            String id = gateway.submit(MailRequests.minimal().put("subject", "across volumes"));
            await().atMost(Duration.ofSeconds(20)).until(() -> events.text().contains("event=deferred id=" + id));
            assertThat(gateway.files("pickup")).noneMatch(f -> f.getFileName().toString().startsWith(id));
        }
        // the real platform again: the retry lands
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway.files("pickup").stream()
                .anyMatch(f -> f.getFileName().toString().endsWith(".eml") && contains(f, "Subject: across volumes")));
    }
}
