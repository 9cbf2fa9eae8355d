package dev.mailroute.diagnostics;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
                assertThat(post(gateway, MailRequests.json(MailRequests.minimal())).status()).isEqualTo(202);
            }
            assertThat(post(gateway, MailRequests.json(MailRequests.minimal().put("to", "nobody@example.com")))
                    .status()).isEqualTo(202);
            assertThat(post(gateway, "{\"to\": \"ops@example.com\"}").status()).isEqualTo(400);

            await().until(() -> value(gateway, "mailroute_messages_failed_total\\{kind=\"permanent\",transport=\"smtp\"}") == 1);
            await().until(() -> value(gateway, "mailroute_messages_delivered_total\\{transport=\"smtp\"}") == 2);
            assertThat(value(gateway, "mailroute_messages_accepted_total\\{ingress=\"http\"}")).isEqualTo(3);
            assertThat(value(gateway, "mailroute_messages_rejected_total\\{ingress=\"http\"}")).isEqualTo(1);
            assertThat(value(gateway, "mailroute_smtp_replies_total\\{code=\"550\"}")).isEqualTo(1);
            assertThat(value(gateway, "mailroute_smtp_replies_total\\{code=\"250\"}")).isEqualTo(2);
            assertThat(value(gateway, "mailroute_delivery_latency_seconds_count")).isEqualTo(2);
            assertThat(value(gateway, "mailroute_relay_circuit")).isZero();
            await().until(() -> value(gateway, "mailroute_queue_depth\\{queue=\"mail.outbound\"}") == 0);
            assertThat(value(gateway, "mailroute_queue_depth\\{queue=\"mail.failed\"}")).isEqualTo(1);
        }
    }

    private static Http.Answer post(TestGateway gateway, String json) {
        return Http.post(gateway.http("/api/v1/messages"), "application/json", json);
    }

    /** The value of the first sample whose name and labels match. */
    private static double value(TestGateway gateway, String sample) {
        Http.Answer metrics = Http.get(gateway.http("/observe/metrics"));
        assertThat(metrics.status()).isEqualTo(200);
        Matcher m = Pattern.compile("^" + sample + " ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(metrics.body());
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
