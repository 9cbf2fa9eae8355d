package dev.mailroute.ingress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.support.Http;
import dev.mailroute.support.Http.Answer;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real HTTP requests against the running gateway (pickup delivery, API keys set). */
class HttpApiTest {

    private static final String KEY = "Authorization";
    private static final String BEARER = "Bearer k-second";

    private static Path data;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        data = Scratch.folder("mailroute-http");
        gateway = TestGateway.on(data)
                .with("mailroute.api.keys", "k-first, k-second")
                .with("mailroute.message.maxBytes", "64KiB")
                .with("mailroute.http.maxBatch", "3")
                .start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void jsonIsAcceptedOnceQueuedAndDelivered() {
        Answer answer = postMessage("application/json; charset=utf-8", MailRequests.json(MailRequests.minimal()));
        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.contentType()).isEqualTo("application/json");
        assertThat(answer.json().get("status").asText()).isEqualTo("queued");
        String id = answer.json().get("id").asText();
        await().until(() -> Files.exists(gateway.folder("pickup").resolve(id + ".eml")));
    }

    @Test
    void rawMessageTakesItsEnvelopeFromXSenderLines() throws Exception {
        String eml = "X-Sender: app@example.com\r\nX-Receiver: ops@example.com\r\nX-Receiver: audit@example.com\r\n"
                     + "From: app@example.com\r\nTo: ops@example.com\r\nSubject: raw over http\r\n\r\nbody\r\n";
        Answer answer = postMessage("message/rfc822", eml);
        assertThat(answer.status()).isEqualTo(202);
        Path file = gateway.folder("pickup").resolve(answer.json().get("id").asText() + ".eml");
        await().until(() -> Files.exists(file));
        assertThat(Files.readString(file)).startsWith(
                "X-Sender: app@example.com\r\nX-Receiver: ops@example.com\r\nX-Receiver: audit@example.com\r\n");
    }

    @Test
    void malformedJsonIs400() {
        Answer answer = postMessage("application/json", "{\"from\": ");
        assertProblem(answer, 400, "urn:mailroute:problem:invalid-request");
        assertThat(answer.json().get("errors").get(0).get("field").asText()).isEqualTo("$");
        assertThat(answer.json().get("detail").asText()).contains("not valid JSON");
    }

    @Test
    void everyWrongFieldIsListed() {
        Answer answer = postMessage("application/json",
                "{\"from\": 1, \"to\": {\"a\": 1}, \"subject\": \"x\\r\\nBcc: v@example.com\", \"priority\": 3}");
        assertProblem(answer, 400, "urn:mailroute:problem:invalid-request");
        assertThat(answer.json().get("errors")).extracting(e -> e.get("field").asText())
                .containsExactlyInAnyOrder("from", "to", "subject", "priority");
        assertThat(answer.json().get("detail").asText()).startsWith("4 problems: ");
    }

    @Test
    void emptyBodyIs400() {
        Answer answer = postMessage("application/json", "");
        assertProblem(answer, 400, "urn:mailroute:problem:invalid-request");
        assertThat(answer.json().get("detail").asText()).contains("$: is empty");
    }

    @Test
    void crLfInACustomHeaderIs400() {
        ObjectNode request = MailRequests.minimal();
        request.putObject("headers").put("X-Ticket", "1\r\nBcc: victim@example.com");
        Answer answer = postMessage("application/json", MailRequests.json(request));
        assertProblem(answer, 400, "urn:mailroute:problem:invalid-request");
        assertThat(answer.json().get("errors").get(0).get("field").asText()).isEqualTo("headers.X-Ticket");
        assertThat(answer.json().get("errors").get(0).get("reason").asText()).contains("line break (CR or LF)");
    }

    @Test
    void invalidBase64Is400() {
        ObjectNode request = MailRequests.minimal();
        request.putArray("attachments").addObject().put("filename", "a.pdf").put("content", "%%%");
        Answer answer = postMessage("application/json", MailRequests.json(request));
        assertProblem(answer, 400, "urn:mailroute:problem:invalid-request");
        assertThat(answer.json().get("errors").get(0).get("field").asText()).isEqualTo("attachments[0].content");
    }

    @Test
    void hugeBodyIs413() {
        ObjectNode request = MailRequests.minimal();
        request.put("text", "x".repeat(70 * 1024));
        Answer answer = postMessage("application/json", MailRequests.json(request));
        assertProblem(answer, 413, "urn:mailroute:problem:too-large");
        assertThat(answer.json().get("detail").asText()).contains("mailroute.message.maxBytes");
    }

    @Test
    void aMessageThatGrowsOverTheLimitWhenBuiltIs413() {
        ObjectNode request = MailRequests.minimal();
        // 56 KB of UTF-8 text becomes 76 KB of base64: the request passes, the MIME message does not
        request.put("text", "é".repeat(28_000));
        Answer answer = postMessage("application/json", MailRequests.json(request));
        assertProblem(answer, 413, "urn:mailroute:problem:too-large");
        assertThat(answer.json().get("detail").asText()).contains("the built MIME message is");
    }

    @Test
    void wrongOrMissingContentTypeIs415() {
        assertProblem(postMessage("text/plain", "hello"), 415, "urn:mailroute:problem:unsupported-media-type");
        assertProblem(postMessage(null, "{}"), 415, "urn:mailroute:problem:unsupported-media-type");
    }

    @Test
    void missingOrWrongKeyIs401() {
        Answer missing = Http.post(gateway.http("/api/v1/messages"), "application/json",
                MailRequests.json(MailRequests.minimal()));
        assertProblem(missing, 401, "urn:mailroute:problem:unauthorized");
        assertThat(missing.header("WWW-Authenticate")).startsWith("Bearer");
        Answer wrong = Http.post(gateway.http("/api/v1/messages"), "application/json",
                MailRequests.json(MailRequests.minimal()), KEY, "Bearer k-third");
        assertProblem(wrong, 401, "urn:mailroute:problem:unauthorized");
    }

    /**
     * A duplicate would rewrite the same pickup file (its name is the id, which comes from the
     * key), so duplicates are counted by the gateway's own delivery events instead.
     */
    @Test
    void idempotencyKeyAnswersTheFirstIdAndQueuesNothingNew() {
        gateway.awaitQueueEmpty();
        long before = gateway.delivered("pickup");
        String json = MailRequests.json(MailRequests.minimal().put("subject", "idempotent"));
        Answer first = postMessage("application/json", json, "Idempotency-Key", "order-4711");
        Answer second = postMessage("application/json", json, "Idempotency-Key", "order-4711");
        assertThat(first.status()).isEqualTo(202);
        assertThat(second.status()).isEqualTo(202);
        assertThat(second.json().get("id").asText()).isEqualTo(first.json().get("id").asText());

        // the JSON id works the same way
        String withId = MailRequests.json(MailRequests.minimal().put("id", "invoice-1"));
        String idFromJson = postMessage("application/json", withId).json().get("id").asText();
        assertThat(postMessage("application/json", withId).json().get("id").asText()).isEqualTo(idFromJson);

        // both duplicates were answered after the first had been queued: once the queue is empty,
        // every delivery there will ever be for them has happened
        gateway.awaitQueueEmpty();
        assertThat(gateway.delivered("pickup") - before).as("one delivery per key").isEqualTo(2);
    }

    @Test
    void batchQueuesTheValidItemsAndReportsEachItem() {
        String batch = "[" + MailRequests.json(MailRequests.minimal().put("subject", "batch ok 1")) + ","
                       + "{\"from\": \"nobody\", \"to\": \"ops@example.com\"},"
                       + MailRequests.json(MailRequests.minimal().put("subject", "batch ok 2")) + "]";
        Answer answer = Http.post(gateway.http("/api/v1/messages/batch"), "application/json", batch, KEY, BEARER);
        assertThat(answer.status()).isEqualTo(200);
        JsonNode results = answer.json().get("results");
        assertThat(results).hasSize(3);
        assertThat(results.get(0).get("status").asText()).isEqualTo("queued");
        assertThat(results.get(1).get("status").asText()).isEqualTo("rejected");
        assertThat(results.get(1).get("errors").get(0).get("field").asText()).isEqualTo("from");
        assertThat(results.get(2).get("status").asText()).isEqualTo("queued");
        assertThat(answer.json().get("queued").asInt()).isEqualTo(2);
        for (int i : new int[] {0, 2}) {
            String id = results.get(i).get("id").asText();
            await().until(() -> Files.exists(gateway.folder("pickup").resolve(id + ".eml")));
        }
    }

    @Test
    void aBatchItemsIdIsItsIdempotencyKey() {
        gateway.awaitQueueEmpty();
        long before = gateway.delivered("pickup");
        String batch = "[" + MailRequests.json(MailRequests.minimal().put("id", "batch-key-1")
                .put("subject", "batch idempotent")) + "]";
        Answer first = Http.post(gateway.http("/api/v1/messages/batch"), "application/json", batch, KEY, BEARER);
        Answer second = Http.post(gateway.http("/api/v1/messages/batch"), "application/json", batch, KEY, BEARER);
        String id = first.json().get("results").get(0).get("id").asText();
        assertThat(second.json().get("results").get(0).get("id").asText()).isEqualTo(id);
        gateway.awaitQueueEmpty();
        assertThat(gateway.delivered("pickup") - before).as("one delivery for the key").isEqualTo(1);
    }

    @Test
    void batchOverTheItemLimitIs413AndNotAnArrayIs400() {
        String item = MailRequests.json(MailRequests.minimal());
        Answer tooMany = Http.post(gateway.http("/api/v1/messages/batch"), "application/json",
                "[" + String.join(",", item, item, item, item) + "]", KEY, BEARER);
        assertProblem(tooMany, 413, "urn:mailroute:problem:too-large");
        assertThat(tooMany.json().get("detail").asText()).contains("mailroute.http.maxBatch");
        Answer notArray = Http.post(gateway.http("/api/v1/messages/batch"), "application/json", item, KEY, BEARER);
        assertProblem(notArray, 400, "urn:mailroute:problem:invalid-request");
    }

    /** A batch is parsed as it is read: what a whole-array parse refused is refused the same way. */
    @Test
    void aBatchThatIsEmptyTrailedOrTooDeepIsRefusedAsInvalid() {
        String item = MailRequests.json(MailRequests.minimal());
        Map<String, String> bodies = Map.of(
                "", "is empty; send a JSON array of mail requests",
                "[" + item + "] [" + item + "]", "something follows the end of the document",
                "[".repeat(1500) + "]".repeat(1500), "nesting depth");
        bodies.forEach((body, reason) -> {
            Answer answer = Http.post(gateway.http("/api/v1/messages/batch"), "application/json", body, KEY, BEARER);
            assertProblem(answer, 400, "urn:mailroute:problem:invalid-request");
            assertThat(answer.json().get("errors").get(0).get("field").asText()).isEqualTo("$");
            assertThat(answer.json().get("errors").get(0).get("reason").asText()).contains(reason);
        });
    }

    @Test
    void servesItsOpenApiDescriptionWithAKeyAndHealthWithout() {
        assertProblem(Http.get(gateway.http("/api/v1/openapi.json")), 401, "urn:mailroute:problem:unauthorized");
        assertProblem(Http.get(gateway.http("/observe/metrics")), 401, "urn:mailroute:problem:unauthorized");
        assertThat(Http.get(gateway.http("/observe/metrics"), KEY, BEARER).body()).contains("mailroute_");
        Answer openapi = Http.get(gateway.http("/api/v1/openapi.json"), KEY, BEARER);
        assertThat(openapi.status()).isEqualTo(200);
        assertThat(openapi.json().get("openapi").asText()).startsWith("3.");
        assertThat(openapi.json().get("paths").has("/api/v1/messages/batch")).isTrue();

        await().until(() -> Http.get(gateway.http("/observe/health")).status() == 200);
        Answer health = Http.get(gateway.http("/observe/health"));
        assertThat(health.json().get("status").asText()).isEqualTo("UP");
        assertThat(health.json().get("checks")).extracting(c -> c.get("name").asText())
                .contains("broker", "transport");
        assertThat(Http.get(gateway.http("/observe/health/ready")).status()).isEqualTo(200);
    }

    private static Answer postMessage(String contentType, String body, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = KEY;
        all[1] = BEARER;
        System.arraycopy(headers, 0, all, 2, headers.length);
        return Http.post(gateway.http("/api/v1/messages"), contentType, body, all);
    }

    private static void assertProblem(Answer answer, int status, String type) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.contentType()).isEqualTo("application/problem+json");
        assertThat(answer.json().get("status").asInt()).isEqualTo(status);
        assertThat(answer.json().get("type").asText()).isEqualTo(type);
        assertThat(answer.json().get("title").asText()).isNotBlank();
    }
}
