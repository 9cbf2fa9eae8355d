package dev.mailroute.ingress;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.mailroute.support.GatewayConfig;
import dev.mailroute.support.Http;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** An idempotency key is remembered across a restart of the gateway. */
class IdempotencyRestartTest {

    @TempDir
    Path data;

    @Test
    void aKeySeenBeforeTheRestartQueuesNothingAfterIt() throws Exception {
        String json = MailRequests.json(MailRequests.minimal());
        String id;
        GatewayConfig config;
        try (TestGateway gateway = TestGateway.on(data).start()) {
            config = gateway.again();
            id = Http.post(gateway.http("/api/v1/messages"), "application/json", json, "Idempotency-Key", "k-77")
                    .json().get("id").asText();
            await().until(() -> Files.exists(gateway.folder("pickup").resolve(id + ".eml")));
        }
        Files.delete(data.resolve("pickup").resolve(id + ".eml")); // the pickup service took it

        try (TestGateway gateway = config.start()) {
            Http.Answer again = Http.post(gateway.http("/api/v1/messages"), "application/json", json,
                    "Idempotency-Key", "k-77");
            assertThat(again.status()).isEqualTo(202);
            assertThat(again.json().get("id").asText()).isEqualTo(id);
            String other = Http.post(gateway.http("/api/v1/messages"), "application/json", json,
                    "Idempotency-Key", "k-78").json().get("id").asText();
            await().until(() -> Files.exists(gateway.folder("pickup").resolve(other + ".eml")));
            gateway.awaitQueueEmpty();
            assertThat(gateway.files("pickup")).as("only the message with the new key").hasSize(1);
            assertThat(gateway.delivered("pickup")).isEqualTo(1);
        }
    }
}
