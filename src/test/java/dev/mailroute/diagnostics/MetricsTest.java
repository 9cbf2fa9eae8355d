package dev.mailroute.diagnostics;

import java.nio.file.Path;

import dev.mailroute.support.Http;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** /observe/metrics, scraped over HTTP after some deliveries, a refusal and a rejection. */
class MetricsTest {

    @TempDir
    Path data;

    @Test
    void countsWhatHappenedByIngressTransportAndReplyCode() {
        try (ScriptedSmtpServer relay = ScriptedSmtpServer.start()
                .replyTo("nobody@example.com", "550 5.1.1 user unknown");
             TestGateway gateway = TestGateway.on(data).smtp(relay.port()).start()) {
            for (int i = 0; i < 2; i++) {
                gateway.submit(MailRequests.minimal());
            }
            gateway.submit(MailRequests.minimal().put("to", "nobody@example.com"));
            assertThat(Http.post(gateway.http("/api/v1/messages"), "application/json", "{\"to\": \"ops@example.com\"}")
                    .status()).isEqualTo(400);

            await().until(() -> gateway.metric(
                    "mailroute_messages_failed_total\\{kind=\"permanent\",transport=\"smtp\"}") == 1);
            await().until(() -> gateway.metric("mailroute_messages_delivered_total\\{transport=\"smtp\"}") == 2);
            assertThat(gateway.metric("mailroute_messages_accepted_total\\{ingress=\"http\"}")).isEqualTo(3);
            assertThat(gateway.metric("mailroute_messages_rejected_total\\{ingress=\"http\"}")).isEqualTo(1);
            assertThat(gateway.metric("mailroute_smtp_replies_total\\{code=\"550\"}")).isEqualTo(1);
            assertThat(gateway.metric("mailroute_smtp_replies_total\\{code=\"250\"}")).isEqualTo(2);
            assertThat(gateway.metric("mailroute_delivery_latency_seconds_count")).isEqualTo(2);
            assertThat(gateway.metric("mailroute_relay_circuit")).isZero();
            await().until(() -> gateway.metric("mailroute_queue_depth\\{queue=\"mail.outbound\"}") == 0);
            assertThat(gateway.metric("mailroute_queue_depth\\{queue=\"mail.failed\"}")).isEqualTo(1);
        }
    }
}
