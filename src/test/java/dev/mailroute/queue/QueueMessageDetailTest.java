package dev.mailroute.queue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.support.GatewayConfig;
import dev.mailroute.support.Http;
import dev.mailroute.support.Http.Answer;
import dev.mailroute.support.LedgerRows;
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
 * GET /api/v1/admin/queue/messages/{id} against the real gateway, broker and relay: a message found
 * on each queue by its id (queued, deferred, held, failed), its headers and decoded preview within
 * their bounds, and who may ask.
 */
class QueueMessageDetailTest {

    static final String ADMIN = "Bearer admin-key-0123456789";
    static final String SUBMIT = "Bearer submit-key-0123456789";

    private static ScriptedSmtpServer relay;
    private static TestGateway gateway;
    private static LedgerRows ledger;

    @BeforeAll
    static void start() throws Exception {
        Path data = Scratch.folder("mailroute-queue-detail");
        relay = ScriptedSmtpServer.start();
        GatewayConfig config = TestGateway.on(data).smtp(relay.port())
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
    void aQueuedMessageShowsItsEnvelopeHeadersAndATruncatedPreview() {
        suspend(true);
        try {
            ObjectNode request = MailRequests.minimal();
            request.put("from", "queued@example.com");
            request.putArray("to").add("one@example.com").add("two@example.com");
            request.put("subject", "Quarterly <report>");
            request.put("text", "x".repeat(10_000));
            String id = gateway.submit(request, "Authorization", SUBMIT);
            ledger.awaitState(id, "one@example.com", "queued");
            awaitWaitingUnscheduled(id);

            JsonNode detail = detail(id);
            assertThat(detail.get("id").asText()).isEqualTo(id);
            assertThat(detail.get("queue").asText()).isEqualTo("outbound");
            assertThat(detail.get("deferredUntil").isNull()).as(detail.toString()).isTrue();
            assertThat(detail.get("size").asLong()).isGreaterThan(10_000);
            assertThat(detail.at("/envelope/from").asText()).isEqualTo("queued@example.com");
            assertThat(detail.at("/envelope/to/0").asText()).isEqualTo("one@example.com");
            assertThat(detail.at("/envelope/to/1").asText()).isEqualTo("two@example.com");
            assertThat(header(detail, "Subject")).isEqualTo("Quarterly <report>");
            assertThat(detail.at("/preview/contentType").asText()).isEqualTo("text/plain");
            assertThat(detail.at("/preview/text").asText()).isEqualTo("x".repeat(4096));
            assertThat(detail.at("/preview/truncated").asBoolean()).isTrue();
            assertThat(detail.at("/ledger/id").asText()).isEqualTo(id);
            assertThat(detail.at("/ledger/recipients/0/attempts").isMissingNode()).isFalse();
        } finally {
            suspend(false);
        }
    }

    @Test
    void aDeferredMessageIsFoundThoughABrowserCannotSeeIt() {
        relay.replyTo("later@example.com", "451 4.3.0 try again later");
        String id = send("deferred@example.com", "later@example.com", "short");
        ledger.awaitState(id, "later@example.com", "deferred");
        await().until(() -> gateway.broker().scheduledCount("mail.outbound") >= 1);

        JsonNode detail = detail(id);
        assertThat(detail.get("queue").asText()).isEqualTo("outbound");
        // initialDelay is an hour: the next attempt is well ahead
        assertThat(Instant.parse(detail.get("deferredUntil").asText()))
                .isAfter(Instant.now().plusSeconds(30 * 60));
        assertThat(detail.at("/envelope/from").asText()).isEqualTo("deferred@example.com");
        assertThat(detail.at("/envelope/to/0").asText()).isEqualTo("later@example.com");
        assertThat(detail.at("/ledger/recipients/0/state").asText()).isEqualTo("deferred");

        Answer held = Http.post(gateway.http("/api/v1/admin/queue/hold"), "application/json",
                "{\"id\":\"" + id + "\"}", "Authorization", ADMIN);
        assertThat(held.json().get("touched").asLong()).as(held.body()).isEqualTo(1);
        JsonNode onHold = detail(id);
        assertThat(onHold.get("queue").asText()).isEqualTo("held");
        assertThat(onHold.get("deferredUntil").asText()).isEqualTo(detail.get("deferredUntil").asText());
        Http.post(gateway.http("/api/v1/admin/queue/delete"), "application/json", "{\"id\":\"" + id + "\"}",
                "Authorization", ADMIN);
        relay.replyTo("later@example.com", null);
    }

    @Test
    void aFailedMessageIsFoundOnMailFailedWithItsUtf8BodyDecoded() {
        relay.replyTo("refused@example.com", "550 5.1.1 no such user");
        String text = "Grüße aus Köln — ünïcödé ✓\r\nzweite Zeile";
        String id = send("failed@example.com", "refused@example.com", text);
        await().atMost(Duration.ofSeconds(30)).until(() -> "failed".equals(detail(id).get("queue").asText()));

        JsonNode detail = detail(id);
        assertThat(detail.get("deferredUntil").isNull()).isTrue();
        // not 8bit on the queue: Jakarta Mail undid the transfer encoding and the charset
        assertThat(header(detail, "Content-Transfer-Encoding")).isIn("quoted-printable", "base64");
        assertThat(detail.at("/preview/text").asText()).isEqualTo(text);
        assertThat(detail.at("/preview/truncated").asBoolean()).isFalse();
        relay.replyTo("refused@example.com", null);
    }

    @Test
    void headersAndALargeMessageStayWithinTheirBounds() {
        suspend(true);
        String id;
        try {
            ObjectNode request = MailRequests.minimal();
            request.put("from", "bounds@example.com");
            request.putArray("to").add("bounds@example.net");
            ObjectNode headers = request.putObject("headers");
            // folded at its blanks into many lines, one value of more than 998 characters
            headers.put("X-Long", "word ".repeat(400).trim());
            for (int i = 0; i < 120; i++) {
                headers.put("X-Extra-" + i, "value " + i);
            }
            // more than the MiB read: the preview says it is cut though its first 4,096 characters are plain
            request.put("text", "line of text\r\n".repeat(110_000));
            id = gateway.submit(request, "Authorization", SUBMIT);
            ledger.awaitState(id, "bounds@example.net", "queued");
            awaitWaitingUnscheduled(id);
            JsonNode detail = detail(id);
            assertThat(detail.get("size").asLong()).isGreaterThan(QueuedMessageLookup.MAX_READ);
            assertThat(detail.get("headers")).hasSize(100);
            // 121 of the request's own and mailroute's (From, To, Subject, Date, Message-ID, ...)
            assertThat(detail.get("headersOmitted").asInt()).isGreaterThanOrEqualTo(26);
            for (JsonNode header : detail.get("headers")) {
                assertThat(header.get("value").asText().length()).isLessThanOrEqualTo(998);
            }
            JsonNode longHeader = null;
            for (JsonNode header : detail.get("headers")) {
                if (header.get("name").asText().equals("X-Long")) {
                    longHeader = header;
                }
            }
            assertThat(longHeader).as(detail.get("headers").toString()).isNotNull();
            assertThat(longHeader.get("value").asText()).hasSize(998).startsWith("word word");
            assertThat(longHeader.get("truncated").asBoolean()).isTrue();
            assertThat(detail.at("/preview/text").asText()).hasSize(4096).startsWith("line of text\r\n");
            assertThat(detail.at("/preview/truncated").asBoolean()).isTrue();
        } finally {
            suspend(false);
        }
        Http.post(gateway.http("/api/v1/admin/queue/delete"), "application/json", "{\"id\":\"" + id + "\"}",
                "Authorization", ADMIN);
    }

    @Test
    void onlyAnAdminKeyAsksAndUnknownOrMalformedIdsAreNamed() {
        String unknown = "0b7e9d2c-1111-4222-8333-944455556666";
        Answer submitKey = Http.get(gateway.http("/api/v1/admin/queue/messages/" + unknown), "Authorization", SUBMIT);
        assertThat(submitKey.status()).isEqualTo(403);
        assertThat(submitKey.json().get("type").asText()).isEqualTo("urn:mailroute:problem:admin-only");

        Answer missing = Http.get(gateway.http("/api/v1/admin/queue/messages/" + unknown), "Authorization", ADMIN);
        assertThat(missing.status()).as(missing.body()).isEqualTo(404);
        assertThat(missing.contentType()).startsWith("application/problem+json");

        Answer malformed = Http.get(gateway.http("/api/v1/admin/queue/messages/not-an-id"), "Authorization", ADMIN);
        assertThat(malformed.status()).as(malformed.body()).isEqualTo(400);
        assertThat(malformed.json().at("/errors/0/field").asText()).isEqualTo("id");
    }

    private static String send(String from, String to, String text) {
        ObjectNode request = MailRequests.from(from, to);
        request.put("text", text);
        return gateway.submit(request, "Authorization", SUBMIT);
    }

    private static JsonNode detail(String id) {
        Answer answer = Http.get(gateway.http("/api/v1/admin/queue/messages/" + id), "Authorization", ADMIN);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }

    private static String header(JsonNode detail, String name) {
        for (JsonNode header : detail.get("headers")) {
            if (header.get("name").asText().equalsIgnoreCase(name)) {
                return header.get("value").asText();
            }
        }
        return null;
    }

    /**
     * A delivery consumer that took the message just as delivery was suspended gives it back to wait
     * for its retry time (scheduled: no content in this API); made due again, it waits unscheduled.
     */
    private static void awaitWaitingUnscheduled(String id) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Http.post(gateway.http("/api/v1/admin/queue/retry"), "application/json", "{\"id\":\"" + id + "\"}",
                    "Authorization", ADMIN);
            JsonNode seen = detail(id);
            return seen.get("deferredUntil").isNull() && "outbound".equals(seen.get("queue").asText());
        });
    }

    private static void suspend(boolean suspend) {
        Answer answer = Http.post(gateway.http("/api/v1/admin/delivery/" + (suspend ? "suspend" : "resume")),
                "application/json", "", "Authorization", ADMIN);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }
}
