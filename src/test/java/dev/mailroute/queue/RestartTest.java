package dev.mailroute.queue;

import java.nio.file.Path;
import java.time.Duration;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mailroute.support.GatewayConfig;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.Mailboxes;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Accepted mail that could not be delivered yet is on the durable queue, and a restart keeps it. */
class RestartTest {

    @TempDir
    Path data;

    @Test
    void messagesStillQueuedAtStopAreDeliveredAfterRestart() throws Exception {
        int relayPort = TestGateway.freePort();

        // first run: the relay is down, so every attempt fails and the messages stay queued
        GatewayConfig config = TestGateway.on(data).smtp(relayPort);
        try (TestGateway gateway = config.start()) {
            for (int i = 0; i < 3; i++) {
                gateway.drop("m" + i + ".json", MailRequests.json(MailRequests.minimal().put("subject", "queued " + i)));
            }
            gateway.awaitInboxEmpty();
            assertThat(gateway.files("rejected")).isEmpty();
        }

        GreenMail relay = new GreenMail(new ServerSetup(relayPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        relay.start();
        try (TestGateway gateway = config.start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> relay.getReceivedMessages().length >= 3);
            gateway.awaitQueueEmpty(); // nothing left that could arrive twice
            assertThat(Mailboxes.of(relay, "ops@example.com")).extracting(m -> m.getSubject())
                    .containsExactlyInAnyOrder("queued 0", "queued 1", "queued 2");
        } finally {
            relay.stop();
        }
    }
}
