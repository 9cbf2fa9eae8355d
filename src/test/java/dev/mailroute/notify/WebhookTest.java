package dev.mailroute.notify;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailroute.diagnostics.Doctor;
import dev.mailroute.queue.BrokerManagement;
import dev.mailroute.support.GatewayConfig;
import dev.mailroute.support.GatewayProcess;
import dev.mailroute.support.Http;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.ReferenceVerifier;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestGateway;
import dev.mailroute.support.WebhookReceiver;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Webhooks against a real HTTP receiver, a real relay and the real gateway: signed events checked
 * by the Standard Webhooks reference verifier (npm standardwebhooks, run with Node), a receiver that
 * is down for a while, mailroute killed with events pending, a 410 and a redirect.
 *
 * <p>The receiver's downtime is {@code -Dmailroute.test.webhookDowntime} seconds (20 by default, to
 * keep the suite short; the 2 minutes: {@code -Dmailroute.test.webhookDowntime=120}).
 */
class WebhookTest {

    private static final String KEY = "app:submit-key-0123456789";
    private static final String AUTH = "Bearer submit-key-0123456789";
    private static final String SENT = "mailroute_webhook_posts_total\\{endpoint=\"crm\",outcome=\"sent\"}";
    private static final String RETRIED = "mailroute_webhook_posts_total\\{endpoint=\"crm\",outcome=\"retried\"}";
    private static final String FAILED = "mailroute_webhook_posts_total\\{endpoint=\"crm\",outcome=\"failed\"}";

    @TempDir
    Path data;

    private ScriptedSmtpServer relay;
    private WebhookReceiver receiver;
    private TestGateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    void theEventsOfADeliveryAndABounceAreSignedAsTheReferenceVerifierExpects() throws Exception {
        relay = ScriptedSmtpServer.start();
        relay.replyTo("bad@example.com", "550 5.1.1 <bad@example.com>: no such user");
        receiver = WebhookReceiver.start();
        String current = secret();
        String previous = secret();
        gateway = webhooks(receiver, current + "," + previous).start();

        String id = gateway.submit(MailRequests.from("app@example.com", "ok@example.com", "bad@example.com"),
                "Authorization", AUTH);

        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() >= 3);
        List<WebhookReceiver.Request> requests = receiver.requests();
        assertThat(requests).hasSize(3);
        Map<String, JsonNode> byType = requests.stream()
                .collect(Collectors.toMap(WebhookReceiver.Request::type, r -> r.json().path("data")));
        assertThat(byType).containsOnlyKeys("accepted", "delivered", "bounced");
        assertThat(requests.get(0).type()).isEqualTo("accepted");
        assertThat(byType.get("accepted").path("recipients").toString())
                .isEqualTo("[\"ok@example.com\",\"bad@example.com\"]");
        JsonNode bounced = byType.get("bounced");
        assertThat(bounced.path("id").asText()).isEqualTo(id);
        assertThat(bounced.path("recipient").asText()).isEqualTo("bad@example.com");
        assertThat(bounced.path("sender").asText()).isEqualTo("app@example.com");
        assertThat(bounced.path("messageId").asText()).startsWith("<").endsWith(">");
        assertThat(bounced.path("reply").path("code").asInt()).isEqualTo(550);
        assertThat(bounced.path("reply").path("enhancedStatus").asText()).isEqualTo("5.1.1");
        assertThat(bounced.path("reply").path("text").asText()).contains("no such user");
        assertThat(bounced.path("relay").asText()).isEqualTo("127.0.0.1:" + relay.port());
        assertThat(byType.get("delivered").path("recipient").asText()).isEqualTo("ok@example.com");
        assertThat(relay.deliveriesTo("ok@example.com")).isEqualTo(1);

        assertThat(requests).allSatisfy(r -> {
            assertThat(r.contentType()).startsWith("application/json");
            assertThat(r.signature().split(" ")).hasSize(2).allMatch(s -> s.startsWith("v1,"));
        });
        assertThat(requests.stream().map(WebhookReceiver.Request::id).distinct()).hasSize(3);
        // both secrets of a rotation sign; a secret that is neither is refused by the verifier
        assertThat(ReferenceVerifier.verify(current, requests)).containsOnly("ok");
        assertThat(ReferenceVerifier.verify(previous, requests)).containsOnly("ok");
        assertThat(ReferenceVerifier.verify(secret(), requests)).doesNotContain("ok");
        assertThat(gateway.metric(SENT)).isEqualTo(3);
        // the outbox's broker settings, as the check of an external broker reads them, are the embedded one's
        try (BrokerManagement management = BrokerManagement.open(gateway.internal())) {
            assertThat(management.differences(1, false, true)).noneMatch(d -> d.startsWith("mail.webhook"));
        }
    }

    @Test
    void aReceiverThatIsDownGetsEveryEventAfterwardsInOrderPerMessage() throws Exception {
        relay = ScriptedSmtpServer.start();
        receiver = WebhookReceiver.down();
        String secret = secret();
        gateway = webhooks(receiver, secret).start();
        long downSince = System.currentTimeMillis();
        for (int i = 0; i < 3; i++) {
            gateway.submit(MailRequests.from("app@example.com", "user" + i + "@example.com"), "Authorization", AUTH);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.transactions().size() == 3);
        long downtime = Long.getLong("mailroute.test.webhookDowntime", 20) * 1000;
        await().atMost(Duration.ofMillis(downtime + 30_000)).until(() -> gateway.metric(RETRIED) >= 3
                && System.currentTimeMillis() - downSince >= downtime);
        assertThat(gateway.metric("mailroute_webhook_pending\\{endpoint=\"crm\"}")).isEqualTo(6);
        assertThat(gateway.metric("mailroute_webhook_oldest_pending_seconds\\{endpoint=\"crm\"}"))
                .isGreaterThanOrEqualTo(downtime / 1000.0 - 1);

        receiver.up();
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway.metric(SENT) == 6);
        List<WebhookReceiver.Request> requests = receiver.requests();
        assertThat(requests.stream().map(WebhookReceiver.Request::id).distinct()).hasSize(6);
        Map<String, List<String>> perMessage = requests.stream().collect(Collectors.groupingBy(
                WebhookReceiver.Request::messageId, Collectors.mapping(WebhookReceiver.Request::type, Collectors.toList())));
        assertThat(perMessage).hasSize(3).allSatisfy((id, types) -> assertThat(types).containsExactly("accepted", "delivered"));
        assertThat(ReferenceVerifier.verify(secret, requests)).containsOnly("ok");
        assertThat(gateway.metric("mailroute_webhook_pending\\{endpoint=\"crm\"}")).isZero();
    }

    @Test
    void eventsPendingWhenMailrouteIsKilledAreSentAfterTheRestart() throws Exception {
        relay = ScriptedSmtpServer.start();
        receiver = WebhookReceiver.down();
        String secret = secret();
        GatewayConfig config = webhooks(receiver, secret);
        List<String> ids = new ArrayList<>();
        try (GatewayProcess first = GatewayProcess.start(config)) {
            first.awaitStarted();
            for (int i = 0; i < 2; i++) {
                Http.Answer answer = Http.post(first.http("/api/v1/messages"), "application/json",
                        MailRequests.json(MailRequests.from("app@example.com", "user" + i + "@example.com")),
                        "Authorization", AUTH);
                assertThat(answer.status()).as(answer.body()).isEqualTo(202);
                ids.add(answer.json().get("id").asText());
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> relay.transactions().size() == 2
                    && first.metric(RETRIED) >= 1);
            first.kill();
        }
        receiver.up();
        try (GatewayProcess second = GatewayProcess.start(config.onNewPorts())) {
            second.awaitStarted();
            await().atMost(Duration.ofSeconds(60)).until(() -> receiver.requests().stream()
                    .map(r -> r.messageId() + " " + r.type()).distinct().count() == 4);
        }
        List<WebhookReceiver.Request> requests = receiver.requests();
        assertThat(requests.stream().map(r -> r.messageId() + " " + r.type()).distinct())
                .containsExactlyInAnyOrder(ids.get(0) + " accepted", ids.get(0) + " delivered",
                        ids.get(1) + " accepted", ids.get(1) + " delivered");
        // at least once: a repeat carries the id of the first try, so the receiver can drop it
        assertThat(requests.stream().map(WebhookReceiver.Request::id).distinct()).hasSize(4);
        assertThat(ReferenceVerifier.verify(secret, requests)).containsOnly("ok");
        assertThat(relay.transactions()).hasSize(2);
    }

    @Test
    void aReceiverAnswering410DisablesItsEndpointAndItsEventsWait() throws Exception {
        relay = ScriptedSmtpServer.start();
        receiver = WebhookReceiver.start().answer(410);
        GatewayConfig config = webhooks(receiver, secret());
        gateway = config.start();
        gateway.submit(MailRequests.from("app@example.com", "ok@example.com"), "Authorization", AUTH);

        await().atMost(Duration.ofSeconds(30)).until(() -> gateway.metric("mailroute_webhook_disabled\\{endpoint=\"crm\"}") == 1
                && gateway.context().getRouteController().getRouteStatus("webhook-crm") == ServiceStatus.Stopped);
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.transactions().size() == 1);
        // the stopped sender takes nothing more: one try, and both events still on the queue
        assertThat(receiver.requests()).hasSize(1);
        assertThat(gateway.broker().messageCount("mail.webhook.crm")).isEqualTo(2);
        String health = Http.get(gateway.http("/observe/health")).body();
        assertThat(health).contains("crm is disabled: its receiver answered 410");
        // doctor asks the running instance
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(Doctor.run(new String[0], new PrintStream(out, true, StandardCharsets.UTF_8), config.properties()))
                .isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("FAIL  webhooks webhook crm state: disabled: its"
                                                                  + " receiver answered 410 Gone; 2 events wait");
    }

    @Test
    void aRedirectIsNotFollowedAndTheEventIsSetAside() throws Exception {
        relay = ScriptedSmtpServer.start();
        try (WebhookReceiver elsewhere = WebhookReceiver.start()) {
            receiver = WebhookReceiver.start().redirectTo(elsewhere.url());
            gateway = webhooks(receiver, secret()).with("mailroute.webhooks.crm.events", "accepted").start();
            gateway.submit(MailRequests.from("app@example.com", "ok@example.com"), "Authorization", AUTH);

            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.metric(FAILED) == 1);
            assertThat(elsewhere.requests()).isEmpty();
            assertThat(receiver.requests()).hasSize(1);
            assertThat(gateway.broker().messageCount("mail.webhooks.failed")).isEqualTo(1);
        }
    }

    /** An operator's hold, release and delete are events too; a dry run and a retry are none. */
    @Test
    void anOperatorsHoldReleaseAndDeleteAreEventsNamingTheKey() throws Exception {
        relay = ScriptedSmtpServer.start();
        receiver = WebhookReceiver.start();
        gateway = webhooks(receiver, secret()).with("mailroute.admin.keys", "ops:admin-key-0123456789")
                .with("mailroute.webhooks.crm.events", "held, released, deleted").start();
        admin("/api/v1/admin/delivery/suspend", "");
        String kept = gateway.submit(MailRequests.from("app@example.com", "kept@example.com"), "Authorization", AUTH);
        String gone = gateway.submit(MailRequests.from("app@example.com", "gone@example.com"), "Authorization", AUTH);
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway.broker().messageCount("mail.outbound") == 2);

        admin("/api/v1/admin/queue/hold", "{\"filter\":{\"sender\":\"app@example.com\"},\"dryRun\":true}");
        admin("/api/v1/admin/queue/retry", "{\"id\":\"" + kept + "\"}");
        admin("/api/v1/admin/queue/hold", "{\"id\":\"" + kept + "\"}");
        admin("/api/v1/admin/queue/delete", "{\"id\":\"" + gone + "\"}");
        admin("/api/v1/admin/queue/release", "{\"id\":\"" + kept + "\"}");

        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() >= 3);
        assertThat(receiver.requests()).extracting(r -> r.type() + " " + r.messageId() + " "
                                                        + r.json().path("data").path("note").asText())
                .containsExactly("held " + kept + " held by ops", "deleted " + gone + " deleted by ops",
                        "released " + kept + " released by ops");
        assertThat(gateway.metric(SENT)).isEqualTo(3);
    }

    private void admin(String path, String body) {
        Http.Answer answer = Http.post(gateway.http(path), "application/json", body, "Authorization",
                "Bearer admin-key-0123456789");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }

    private GatewayConfig webhooks(WebhookReceiver receiver, String secrets) {
        return TestGateway.on(data).smtp(relay.port())
                .with("mailroute.api.keys", KEY)
                .with("mailroute.observe.requireKey", "false")
                .with("mailroute.webhooks", "crm")
                .with("mailroute.webhooks.crm.url", receiver.url())
                .with("mailroute.webhooks.crm.secret", secrets)
                .with("mailroute.webhooks.crm.allowInsecureLoopback", "true")
                .with("mailroute.webhooks.maxRetryInterval", "1s");
    }

    /** A fresh Standard Webhooks secret: whsec_ and 32 random bytes in base64. */
    private static String secret() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }
}
