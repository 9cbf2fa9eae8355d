package dev.mailroute.ingress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The files of one inbox poll share one queue transaction and hold their room in memory
 * (mailroute.message.maxInFlight) until it commits. Files that do not fit together commit the held
 * ones first and go on in a new transaction: the poll thread never waits for room that only it could
 * give back.
 */
class InboxTransactionTest {

    @TempDir
    Path data;

    private static String eml(int i) {
        return "X-Sender: app@example.com\r\nX-Receiver: ops@example.com\r\nFrom: app@example.com\r\nTo: ops@example.com"
               + "\r\nSubject: room " + i + "\r\n\r\n" + "a line of the body that takes room in memory\r\n".repeat(400);
    }

    @Test
    void filesOfOnePollThatDoNotFitInMemoryTogetherAreEachQueuedOnce() throws IOException {
        // about 19 KB a file, 64 KiB of room: three fit together, the fourth commits them first
        Path inbox = Files.createDirectories(data.resolve("inbox"));
        int files = 12;
        for (int i = 0; i < files; i++) {
            Files.writeString(inbox.resolve("room-" + i + ".eml"), eml(i));
        }
        try (TestGateway gateway = TestGateway.on(data).with("mailroute.message.maxBytes", "64KiB")
                .with("mailroute.message.maxInFlight", "64KiB").start()) {
            gateway.awaitInboxEmpty();
            gateway.awaitQueueEmpty();
            assertThat(gateway.files("pickup")).hasSize(files);
            for (int i = 0; i < files; i++) {
                assertThat(gateway.pickupFilesWithSubject("room " + i)).as("room " + i).isEqualTo(1);
            }
            assertThat(gateway.files("rejected")).isEmpty();
        }
    }
}
