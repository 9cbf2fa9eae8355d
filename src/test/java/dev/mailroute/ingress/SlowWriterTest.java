package dev.mailroute.ingress;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * .NET's SmtpClient and IIS write a pickup file in place — create, write, close — with no temporary
 * name. The inbox must not take such a file while it is still being written: it takes a file only
 * once its size and time have been still for mailroute.inbox.minAge. A writer that writes a message
 * in pieces over three seconds gets exactly the complete message delivered, once.
 */
class SlowWriterTest {

    @TempDir
    Path data;

    @Test
    void aFileWrittenInPiecesIsTakenOnlyWhenComplete() throws Exception {
        try (TestGateway gateway = TestGateway.on(data).with("mailroute.inbox.minAge", "2s").start()) {
            Path file = gateway.folder("inbox").resolve("slow.eml");
            try (OutputStream out = Files.newOutputStream(file)) {
                write(out, "X-Sender: app@example.com\r\nX-Receiver: ops@example.com\r\nFrom: app@example.com\r\n"
                           + "To: ops@example.com\r\nSubject: written slowly\r\n\r\n");
                for (int piece = 1; piece <= 6; piece++) {
                    Thread.sleep(500); // the writer's own pace: a slow application, not a wait for the product
                    write(out, "piece " + piece + " of 6\r\n");
                }
            }
            gateway.awaitFiles("pickup", 1);
            gateway.awaitInboxEmpty();
            gateway.awaitQueueEmpty();
            assertThat(gateway.files("pickup")).hasSize(1);
            String delivered = Files.readString(gateway.files("pickup").get(0), StandardCharsets.US_ASCII);
            assertThat(delivered).contains("Subject: written slowly").contains("piece 1 of 6").contains("piece 6 of 6");
            assertThat(gateway.folder("rejected").resolve("slow.eml")).doesNotExist();
        }
    }

    private static void write(OutputStream out, String text) throws Exception {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
