package dev.mailroute.ingress;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.mailroute.files.Platform;
import dev.mailroute.ingress.file.UndeletedFiles;
import dev.mailroute.support.LogCapture;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An inbox file is deleted once its message is queued; on Windows an antivirus or indexing service
 * holding the file makes that delete fail with a sharing violation. Played on Linux through the
 * {@link Platform} seam against the real gateway: a delete that meets a lock a few times is tried
 * again and counted, and a file that never goes away is not taken again — one message either way.
 */
class InboxDeleteLockTest {

    private static final String LOCKED = "The process cannot access the file because it is being used by another process";
    private static final String RETRIES = "mailroute_files_lock_retries_total";

    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = TestGateway.on(Scratch.folder("mailroute-inbox-delete")).start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    /** Deletes of one file meet a lock: the first {@code locks} of them, or all while {@code forever} is set. */
    private static final class LockedDeletes extends Platform {
        final String name;
        final AtomicInteger locksLeft;
        final AtomicBoolean forever;
        final AtomicInteger tries = new AtomicInteger();

        LockedDeletes(String name, int locks, boolean forever) {
            super(true);
            this.name = name;
            this.locksLeft = new AtomicInteger(locks);
            this.forever = new AtomicBoolean(forever);
        }

        @Override
        protected void deleteOnce(Path file) throws IOException {
            if (file.getFileName().toString().equals(name)) {
                tries.incrementAndGet();
                if (forever.get() || locksLeft.getAndDecrement() > 0) {
                    throw new FileSystemException(file.toString(), null, LOCKED);
                }
            }
            super.deleteOnce(file);
        }

        @Override
        public boolean heldByAWriter(Path file) {
            return false; // Linux has no such lock; only the deletes play Windows here
        }
    }

    private static String eml(String subject) {
        return "X-Sender: app@example.com\r\nX-Receiver: ops@example.com\r\nFrom: app@example.com\r\nTo: ops@example.com"
               + "\r\nSubject: " + subject + "\r\n\r\nbody\r\n";
    }

    private static long delivered(String subject) {
        return gateway.pickupFilesWithSubject(subject);
    }

    @Test
    void aDeleteThatMeetsALockIsTriedAgainCountedAndTheFileIsTakenOnce() throws Exception {
        LockedDeletes platform = new LockedDeletes("locked-delete.eml", 3, false);
        double before = gateway.metric(RETRIES);
        try (AutoCloseable windows = Platform.use(platform)) {
            gateway.drop("locked-delete.eml", eml("delete met a lock"));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> Files.notExists(gateway.folder("inbox").resolve("locked-delete.eml")));
            await().atMost(Duration.ofSeconds(20)).until(() -> delivered("delete met a lock") >= 1);
            gateway.awaitQueueEmpty();
            assertThat(delivered("delete met a lock")).isEqualTo(1);
            assertThat(platform.tries.get()).isEqualTo(4);
            assertThat(gateway.metric(RETRIES) - before).isEqualTo(3);
        }
    }

    @Test
    void aFileThatCannotBeDeletedIsNotTakenAgainAndGoesOnceItCan() throws Exception {
        LockedDeletes platform = new LockedDeletes("never-deleted.eml", 0, true);
        try (AutoCloseable windows = Platform.use(platform);
             LogCapture log = LogCapture.of(UndeletedFiles.class)) {
            gateway.drop("never-deleted.eml", eml("never deleted"));
            await().atMost(Duration.ofSeconds(30)).until(() -> log.text().contains("cannot be deleted"));
            assertThat(log.text()).contains("inbox: never-deleted.eml cannot be deleted (FileSystemException), but its"
                                            + " message is queued");
            // the first delete and its five tries again (and perhaps already the next poll's one try: a poll
            // that took a file is followed at once by the next); then one more try at each further poll
            int afterCommit = platform.tries.get();
            assertThat(afterCommit).isBetween(6, 7);
            await().atMost(Duration.ofSeconds(20)).until(() -> platform.tries.get() >= afterCommit + 2);
            gateway.awaitQueueEmpty();
            assertThat(delivered("never deleted")).isEqualTo(1);
            assertThat(gateway.folder("inbox").resolve("never-deleted.eml")).exists();
            assertThat(gateway.metric("mailroute_inbox_undeleted")).isEqualTo(1);
            assertThat(log.lines()).filteredOn(line -> line.contains("cannot be deleted")).hasSize(1);

            // the lock goes: the next poll deletes it, and nothing more is sent
            platform.forever.set(false);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> Files.notExists(gateway.folder("inbox").resolve("never-deleted.eml")));
            await().atMost(Duration.ofSeconds(20)).until(() -> log.text().contains("never-deleted.eml is deleted at last"));
            assertThat(gateway.metric("mailroute_inbox_undeleted")).isZero();
            gateway.awaitQueueEmpty();
            assertThat(delivered("never deleted")).isEqualTo(1);
        }
    }
    /** Remembered by size and time, not by name alone: new content under the name of a file that stays is a new file. */
    @Test
    void aNewFileUnderTheNameOfOneThatCannotBeDeletedIsTaken() throws Exception {
        LockedDeletes platform = new LockedDeletes("same-name.eml", 0, true);
        Path file = gateway.folder("inbox").resolve("same-name.eml");
        try (AutoCloseable windows = Platform.use(platform);
             LogCapture log = LogCapture.of(UndeletedFiles.class)) {
            gateway.drop("same-name.eml", eml("first under this name"));
            await().atMost(Duration.ofSeconds(30)).until(() -> log.text().contains("same-name.eml cannot be deleted"));
            // the application writes its next message under the same name (a longer one: another size)
            gateway.drop("same-name.eml", eml("second under this name, a longer subject"));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> delivered("second under this name, a longer subject") == 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> log.lines().stream()
                    .filter(line -> line.contains("same-name.eml cannot be deleted")).count() == 2);
            platform.forever.set(false);
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.notExists(file));
            gateway.awaitQueueEmpty();
            assertThat(delivered("first under this name")).isEqualTo(1);
            assertThat(delivered("second under this name, a longer subject")).isEqualTo(1);
        }
    }
}
