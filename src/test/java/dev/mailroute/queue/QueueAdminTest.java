package dev.mailroute.queue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.support.GatewayConfig;
import dev.mailroute.support.Http;
import dev.mailroute.support.Http.Answer;
import dev.mailroute.support.LedgerRows;
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
 * The operator's queue API against the real gateway, a real relay (deferring the addresses a test
 * chooses) and the SQLite ledger: hold, release, retry, delete, dry runs, suspend and resume, who
 * may, and what the ledger and the audit line say.
 */
class QueueAdminTest {

    static final String ADMIN = "Bearer admin-key-0123456789";
    static final String SUBMIT = "Bearer submit-key-0123456789";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static Path data;
    private static ScriptedSmtpServer relay;
    private static GatewayConfig config;
    private static TestGateway gateway;
    private static LedgerRows ledger;

    @BeforeAll
    static void start() throws Exception {
        data = Scratch.folder("mailroute-queue-admin");
        relay = ScriptedSmtpServer.start();
        // a deferred message waits an hour: only an operator's retry (or release) makes it go sooner
        config = TestGateway.on(data).smtp(relay.port())
                .with("mailroute.retry.initialDelay", "1h")
                .with("mailroute.retry.maxDelay", "1h")
                .with("mailroute.api.keys", "app:submit-key-0123456789")
                .with("mailroute.admin.keys", "ops:admin-key-0123456789");
        gateway = config.start();
        ledger = LedgerRows.of(config);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        relay.close();
    }

    @Test
    void aHeldDeferredMessageIsNotDeliveredUntilReleasedThenExactlyOnce() {
        relay.replyTo("held@example.com", "451 4.3.0 try again later");
        String held = send("hold-test@example.com", "held@example.com");
        ledger.awaitState(held, "held@example.com", "deferred");

        try (LogCapture events = LogCapture.of("mailroute.events")) {
            JsonNode answer = operate("hold", "{\"id\":\"" + held + "\"}");
            assertThat(answer.get("operation").asText()).isEqualTo("hold");
            assertThat(answer.get("matched").asLong()).isEqualTo(1);
            assertThat(answer.get("touched").asLong()).isEqualTo(1);
            assertThat(answer.get("dryRun").asBoolean()).isFalse();
            assertThat(events.lines()).contains("INFO event=queue-operation operator=ops operation=hold filter=\"id="
                                                + held + "\" matched=1 touched=1 dryRun=false");
        }
        assertThat(gateway.broker().messageCount("mail.held")).isEqualTo(1);
        Map<String, Object> row = ledger.awaitState(held, "held@example.com", "held");
        assertThat(row.get("reply_text")).isEqualTo("held by ops");

        // the relay takes everything now; a message sent after the held one is delivered, the held one is not
        relay.replyTo("held@example.com", null);
        String later = send("hold-test@example.com", "later@example.com");
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.deliveriesTo("later@example.com") == 1);
        ledger.awaitState(later, "later@example.com", "delivered");
        assertThat(relay.deliveriesTo("held@example.com")).isZero();
        assertThat(gateway.broker().messageCount("mail.held")).isEqualTo(1);
        assertThat(summary().get("queues").get("held").asLong()).isEqualTo(1);

        // released, it keeps its retry time (an hour away); a retry makes it go now
        JsonNode released = operate("release", "{\"filter\":{\"sender\":\"hold-test@example.com\"}}");
        assertThat(released.get("matched").asLong()).isEqualTo(1);
        assertThat(released.get("touched").asLong()).isEqualTo(1);
        assertThat(ledger.awaitState(held, "held@example.com", "queued").get("reply_text"))
                .isEqualTo("released by ops");
        assertThat(gateway.broker().messageCount("mail.held")).isZero();
        assertThat(operate("retry", "{\"id\":\"" + held + "\"}").get("touched").asLong()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.deliveriesTo("held@example.com") == 1);
        ledger.awaitState(held, "held@example.com", "delivered");
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway.broker().messageCount("mail.outbound") == 0);
        assertThat(relay.deliveriesTo("held@example.com")).as("exactly once").isEqualTo(1);
    }

    @Test
    void retryMakesADeferredMessageGoNowAndADryRunOnlyCounts() {
        relay.replyTo("retry@example.com", "451 4.3.0 try again later");
        String id = send("retry-test@example.com", "retry@example.com");
        ledger.awaitState(id, "retry@example.com", "deferred");
        await().until(() -> gateway.broker().scheduledCount("mail.outbound") >= 1);
        relay.replyTo("retry@example.com", null);

        long waiting = gateway.broker().scheduledCount("mail.outbound");
        JsonNode dry = operate("retry", "{\"filter\":{\"recipient\":\"RETRY@example.com\"},\"dryRun\":true}");
        assertThat(dry.get("matched").asLong()).isEqualTo(1);
        assertThat(dry.get("touched").asLong()).isZero();
        assertThat(dry.get("dryRun").asBoolean()).isTrue();
        assertThat(gateway.broker().scheduledCount("mail.outbound")).as("still waiting for its time").isEqualTo(waiting);
        assertThat(relay.deliveriesTo("retry@example.com")).isZero();

        JsonNode retried = operate("retry", "{\"filter\":{\"recipient\":\"retry@example.com\"}}");
        assertThat(retried.get("matched").asLong()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.deliveriesTo("retry@example.com") == 1);
        ledger.awaitState(id, "retry@example.com", "delivered");
    }

    @Test
    void suspendedDeliveryKeepsAcceptingThenADeleteBySenderRemovesExactlyThose() {
        assertThat(Http.post(gateway.http("/api/v1/admin/delivery/suspend"), "application/json", "",
                "Authorization", ADMIN).json().get("delivery").asText()).isEqualTo("suspended");
        assertThat(summary().get("delivery").asText()).isEqualTo("suspended");
        long before = gateway.broker().messageCount("mail.outbound");
        long scheduledBefore = gateway.broker().scheduledCount("mail.outbound");
        List<String> runaway = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            runaway.add(send("runaway@example.com", "victim@example.com"));
            if (i % 10 == 0) {
                others.add(send("normal@example.com", "ops@example.com"));
            }
        }
        // accepted (202 each) and queued, none taken off the queue: the suspend answered only once no
        // delivery consumer was still in its receive. One that was could take one of the first messages
        // and give it back (Spring: "Rejecting received message because of the listener container having
        // been stopped"), where the broker would keep it for its redelivery delay: none is scheduled
        assertThat(gateway.broker().messageCount("mail.outbound")).isEqualTo(before + 220);
        assertThat(gateway.broker().scheduledCount("mail.outbound")).isEqualTo(scheduledBefore);
        ledger.await(rows -> ((Number) rows.get(0).get("n")).intValue() == 220,
                "SELECT COUNT(*) AS n FROM ledger_recipient WHERE state = 'queued' AND address IN (?, ?)",
                "victim@example.com", "ops@example.com");

        JsonNode dry = operate("delete", "{\"filter\":{\"sender\":\"runaway@example.com\"},\"dryRun\":true}");
        assertThat(dry.get("matched").asLong()).isEqualTo(200);
        assertThat(dry.get("touched").asLong()).isZero();
        assertThat(gateway.broker().messageCount("mail.outbound")).isEqualTo(before + 220);

        try (LogCapture events = LogCapture.of("mailroute.events")) {
            JsonNode deleted = operate("delete", "{\"filter\":{\"sender\":\"runaway@example.com\"}}");
            assertThat(deleted.get("matched").asLong()).isEqualTo(200);
            assertThat(deleted.get("touched").asLong()).isEqualTo(200);
            assertThat(events.lines()).contains("INFO event=queue-operation operator=ops operation=delete"
                    + " filter=\"sender=runaway@example.com\" matched=200 touched=200 dryRun=false");
        }
        assertThat(gateway.broker().messageCount("mail.outbound")).isEqualTo(before + 20);
        ledger.await(rows -> ((Number) rows.get(0).get("n")).intValue() == 200,
                "SELECT COUNT(*) AS n FROM ledger_recipient WHERE state = 'deleted' AND reply_text = 'deleted by ops'"
                + " AND address = ?", "victim@example.com");

        JsonNode resumed = Http.post(gateway.http("/api/v1/admin/delivery/resume"), "application/json", "",
                "Authorization", ADMIN).json();
        assertThat(resumed.get("delivery").asText()).isEqualTo("running");
        // what the tests before left deferred (redelivery delay here an hour) goes now
        operate("retry", "{\"all\":\"ALL\"}");
        for (String id : others) {
            ledger.awaitState(id, "ops@example.com", "delivered");
        }
        assertThat(relay.deliveriesTo("victim@example.com")).isZero();
        assertThat(ledger.recipients(runaway.get(0)).get(0).get("state")).isEqualTo("deleted");
    }

    @Test
    void aKeyedMessageHeldAndReleasedIsDeliveredNotDroppedAsADuplicate() {
        relay.replyTo("keyed@example.com", "451 4.3.0 try again later");
        ObjectNode request = MailRequests.minimal();
        request.put("from", "keyed-test@example.com");
        request.putArray("to").add("keyed@example.com");
        String id = gateway.submit(request, "Authorization", SUBMIT, "Idempotency-Key", "keyed-hold-1");
        ledger.awaitState(id, "keyed@example.com", "deferred");
        assertThat(operate("hold", "{\"id\":\"" + id + "\"}").get("touched").asLong()).isEqualTo(1);
        relay.replyTo("keyed@example.com", null);
        assertThat(operate("release", "{\"id\":\"" + id + "\"}").get("touched").asLong()).isEqualTo(1);
        assertThat(operate("retry", "{\"id\":\"" + id + "\"}").get("touched").asLong()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.deliveriesTo("keyed@example.com") == 1);

        // never tried: the message on the queue is the one sent with the client key's duplicate id
        Http.post(gateway.http("/api/v1/admin/delivery/suspend"), "application/json", "", "Authorization", ADMIN);
        try {
            request.putArray("to").add("keyed-new@example.com");
            String fresh = gateway.submit(request, "Authorization", SUBMIT, "Idempotency-Key", "keyed-hold-2");
            ledger.awaitState(fresh, "keyed-new@example.com", "queued");
            assertThat(operate("hold", "{\"id\":\"" + fresh + "\"}").get("touched").asLong()).isEqualTo(1);
            assertThat(operate("release", "{\"id\":\"" + fresh + "\"}").get("touched").asLong()).isEqualTo(1);
            assertThat(gateway.broker().messageCount("mail.outbound")).isPositive();
        } finally {
            Http.post(gateway.http("/api/v1/admin/delivery/resume"), "application/json", "", "Authorization", ADMIN);
        }
        operate("retry", "{\"all\":\"ALL\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.deliveriesTo("keyed-new@example.com") == 1);
    }

    @Test
    void onlyAnAdminKeyOperatesAndEveryBadBodyIsNamed() {
        Answer submitKey = post("hold", "{\"all\":\"ALL\"}", SUBMIT);
        assertThat(submitKey.status()).isEqualTo(403);
        assertThat(submitKey.contentType()).startsWith("application/problem+json");
        assertThat(submitKey.json().get("type").asText()).isEqualTo("urn:mailroute:problem:admin-only");
        assertThat(Http.get(gateway.http("/api/v1/admin/queue"), "Authorization", SUBMIT).status()).isEqualTo(403);
        assertThat(post("hold", "{\"all\":\"ALL\"}", null).status()).isEqualTo(401);
        assertThat(post("hold", "{\"all\":\"ALL\"}", "Bearer not-a-key").status()).isEqualTo(401);

        assertThat(field(post("hold", "{}", ADMIN))).isEqualTo("$");
        assertThat(field(post("hold", "{\"filter\":{}}", ADMIN))).isEqualTo("filter");
        assertThat(field(post("delete", "{\"all\":\"all\"}", ADMIN))).isEqualTo("all");
        assertThat(field(post("delete", "{\"all\":true}", ADMIN))).isEqualTo("all");
        assertThat(field(post("hold", "{\"id\":\"x' OR 1=1 OR mailrouteId='\"}", ADMIN))).isEqualTo("id");
        assertThat(field(post("hold", "{\"filter\":{\"sender\":\"a@b\",\"state\":\"queued\"}}", ADMIN)))
                .isEqualTo("filter.state");
        assertThat(field(post("hold", "{\"filter\":{\"since\":\"yesterday\"}}", ADMIN))).isEqualTo("filter.since");
        assertThat(field(post("hold", "{\"all\":\"ALL\",\"dryRun\":\"yes\"}", ADMIN))).isEqualTo("dryRun");
        assertThat(field(post("hold", "{\"all\":\"ALL\",\"id\":\"0b6a3c1e-2f4d-4c8a-9e1b-5d7f3a2c4e6b\"}", ADMIN)))
                .isEqualTo("$");
        assertThat(post("explode", "{\"all\":\"ALL\"}", ADMIN).status()).isEqualTo(404);

        relay.replyTo("dry-all@example.com", "451 4.3.0 try again later");
        String waiting = send("dry-all-test@example.com", "dry-all@example.com");
        ledger.awaitState(waiting, "dry-all@example.com", "deferred");
        await().until(() -> gateway.broker().scheduledCount("mail.outbound") >= 1);
        long onOutbound = gateway.broker().messageCount("mail.outbound");
        long held = gateway.broker().messageCount("mail.held");
        JsonNode everything = operate("hold", "{\"all\":\"ALL\",\"dryRun\":true}");
        assertThat(everything.get("dryRun").asBoolean()).isTrue();
        assertThat(everything.get("matched").asLong()).as("every message on mail.outbound").isEqualTo(onOutbound);
        assertThat(everything.get("touched").asLong()).isZero();
        assertThat(gateway.broker().messageCount("mail.held")).as("none held").isEqualTo(held);
        assertThat(ledger.recipients(waiting)).extracting(r -> r.get("state")).containsExactly("deferred");
        // the other tests expect mail.outbound empty once their messages are delivered
        assertThat(operate("delete", "{\"id\":\"" + waiting + "\"}").get("touched").asLong()).isEqualTo(1);
        relay.replyTo("dry-all@example.com", null);
    }

    @Test
    void theQueueListingIsTheLedgersSearchOfQueueStates() {
        relay.replyTo("listed@example.com", "451 4.3.0 try again later");
        String id = send("list-test@example.com", "listed@example.com");
        ledger.awaitState(id, "listed@example.com", "deferred");
        Answer listed = Http.get(gateway.http("/api/v1/admin/queue/messages?state=deferred&sender=list-test%40example.com"),
                "Authorization", ADMIN);
        assertThat(listed.status()).as(listed.body()).isEqualTo(200);
        assertThat(listed.json().get("messages")).extracting(m -> m.get("id").asText()).containsExactly(id);
        Answer wrongState = Http.get(gateway.http("/api/v1/admin/queue/messages?state=delivered"),
                "Authorization", ADMIN);
        assertThat(field(wrongState)).isEqualTo("state");
        JsonNode summary = summary();
        assertThat(summary.get("queues").get("deferred").asLong()).isPositive();
        assertThat(summary.get("oldestAcceptedAt").isTextual()).isTrue();
        assertThat(summary.get("circuit").asText()).isEqualTo("CLOSED");
        operate("delete", "{\"id\":\"" + id + "\"}");
        ledger.awaitState(id, "listed@example.com", "deleted");
        relay.replyTo("listed@example.com", null);
    }

    private static String send(String from, String to) {
        return gateway.submit(MailRequests.from(from, to), "Authorization", SUBMIT);
    }

    private static JsonNode summary() {
        Answer answer = Http.get(gateway.http("/api/v1/admin/queue"), "Authorization", ADMIN);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }

    private static JsonNode operate(String operation, String body) {
        Answer answer = post(operation, body, ADMIN);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }

    private static Answer post(String operation, String body, String authorization) {
        return authorization == null
                ? Http.post(gateway.http("/api/v1/admin/queue/" + operation), "application/json", body)
                : Http.post(gateway.http("/api/v1/admin/queue/" + operation), "application/json", body,
                        "Authorization", authorization);
    }

    /** The one field a 400 names. */
    private static String field(Answer answer) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        JsonNode errors = answer.json().get("errors");
        assertThat(errors).as(answer.body()).hasSize(1);
        return errors.get(0).get("field").asText();
    }
}
