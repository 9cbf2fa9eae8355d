package dev.mailroute.queue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mailroute.support.GatewayProcess;
import dev.mailroute.support.Http;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.Mailboxes;
import dev.mailroute.support.TestGateway;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * 202 means durable: the gateway's JVM is killed hard (SIGKILL) right after it accepted a batch
 * while the relay was unreachable; started again with the relay up, every accepted id arrives
 * exactly once.
 */
class KillTest {

    private static final int MESSAGES = 20;

    @TempDir
    Path data;

    @Test
    void everyAcceptedMessageIsDeliveredExactlyOnceAfterKillMinus9() throws Exception {
        int relayPort = TestGateway.freePort();
        int httpPort = TestGateway.freePort();
        Map<String, String> env = Map.of(
                "MAILROUTE_DATA_DIR", data.toString(),
                "MAILROUTE_TRANSPORT", "smtp",
                "MAILROUTE_SMTP_HOST", "127.0.0.1",
                "MAILROUTE_SMTP_PORT", Integer.toString(relayPort),
                "MAILROUTE_SMTP_TIMEOUT", "2s",
                "MAILROUTE_RETRY_INITIALDELAY", "500",
                "MAILROUTE_HTTP_PORT", Integer.toString(httpPort),
                "MAILROUTE_BROKER_PORT", Integer.toString(TestGateway.freePort()),
                "CAMEL_MAIN_ROUTESRELOADENABLED", "false");
        Path workDir = Path.of("").toAbsolutePath();

        Set<String> accepted = new HashSet<>();
        try (GatewayProcess gateway = GatewayProcess.start(workDir, env, List.of(), GatewayProcess.testClasspath())) {
            gateway.awaitStarted();
            List<String> items = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                items.add(MailRequests.json(MailRequests.minimal().put("subject", "kill test " + i)));
            }
            Http.Answer answer = Http.post(URI.create("http://127.0.0.1:" + httpPort + "/api/v1/messages/batch"),
                    "application/json", "[" + String.join(",", items) + "]");
            gateway.kill();
            assertThat(answer.status()).isEqualTo(200);
            for (JsonNode result : answer.json().get("results")) {
                assertThat(result.get("status").asText()).isEqualTo("queued");
                accepted.add(result.get("id").asText());
            }
        }
        assertThat(accepted).hasSize(MESSAGES);

        GreenMail relay = new GreenMail(new ServerSetup(relayPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        relay.start();
        try (GatewayProcess gateway = GatewayProcess.start(workDir, env, List.of(), GatewayProcess.testClasspath())) {
            gateway.awaitStarted();
            await().atMost(Duration.ofSeconds(60)).until(() -> relay.getReceivedMessages().length >= MESSAGES);
            Thread.sleep(2000); // a duplicate would arrive now
            List<MimeMessage> received = Mailboxes.of(relay, "ops@example.com");
            assertThat(received).hasSize(MESSAGES);
            Set<String> delivered = new HashSet<>();
            for (MimeMessage message : received) {
                String messageId = message.getMessageID();
                delivered.add(messageId.substring(1, messageId.indexOf('@')));
            }
            assertThat(delivered).isEqualTo(accepted);
        } finally {
            relay.stop();
        }
    }
}
