package dev.mailroute.ingress;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.support.Http;
import dev.mailroute.support.Http.Answer;
import dev.mailroute.support.LogCapture;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The status API against the real gateway (pickup delivery, the SQLite ledger): a message by id,
 * the search, paging, who sees what, and every bad or hostile parameter named.
 */
class MessageStatusTest {

    static final String ALPHA = "Bearer alpha-key-0123456789";
    static final String BETA = "Bearer beta-key-0123456789";
    static final String ADMIN = "Bearer admin-key-0123456789";

    private static Path data;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        data = Scratch.folder("mailroute-status");
        gateway = TestGateway.on(data)
                .with("mailroute.api.keys", "alpha:alpha-key-0123456789, beta-key-0123456789")
                .with("mailroute.admin.keys", "ops:admin-key-0123456789")
                .start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void aDeliveredMessageShowsItsRecipientsAndOnRequestEveryAttempt() {
        ObjectNode request = MailRequests.minimal();
        request.putArray("to").add("Ops@Example.com").add("audit@example.com");
        request.put("subject", "Disk almost full on db-7");
        Answer accepted = Http.post(gateway.http("/api/v1/messages"), "application/json",
                MailRequests.json(request), "Authorization", ALPHA);
        assertThat(accepted.status()).isEqualTo(202);
        String id = accepted.json().get("id").asText();
        assertThat(accepted.header("Location")).isEqualTo("/api/v1/messages/" + id);

        JsonNode message = awaitState(gateway, accepted.header("Location"), ALPHA, "delivered");
        assertThat(message.get("id").asText()).isEqualTo(id);
        assertThat(message.get("messageId").asText()).startsWith("<" + id + "@");
        assertThat(message.get("ingress").asText()).isEqualTo("http");
        assertThat(message.get("submitter").asText()).isEqualTo("http key alpha from 127.0.0.1");
        assertThat(message.get("sender").asText()).isEqualTo("alerts@example.com");
        assertThat(message.get("subject").asText()).isEqualTo("Disk almost full on db-7");
        assertThat(message.get("size").asLong()).isPositive();
        Instant acceptedAt = Instant.parse(message.get("acceptedAt").asText());
        assertThat(acceptedAt).isBetween(Instant.now().minusSeconds(120), Instant.now());
        assertThat(message.get("recipientCount").asInt()).isEqualTo(2);
        JsonNode recipients = message.get("recipients");
        assertThat(recipients).extracting(r -> r.get("address").asText())
                .containsExactly("Ops@Example.com", "audit@example.com");
        for (JsonNode recipient : recipients) {
            assertThat(recipient.get("state").asText()).isEqualTo("delivered");
            assertThat(recipient.get("attempts").asInt()).isEqualTo(1);
            assertThat(recipient.get("deferrals")).isEmpty();
            assertThat(recipient.has("history")).isFalse();
            Instant.parse(recipient.get("changedAt").asText());
        }

        JsonNode expanded = get(gateway, "/api/v1/messages/" + id + "?expand=attempts", ADMIN).json();
        JsonNode history = expanded.get("recipients").get(0).get("history");
        assertThat(history).hasSize(1);
        assertThat(history.get(0).get("attempt").asInt()).isEqualTo(1);
        assertThat(history.get(0).get("transport").asText()).isEqualTo("pickup");
        assertThat(history.get(0).get("outcome").asText()).isEqualTo("delivered");
        assertThat(history.get(0).get("durationMs").isNumber()).isTrue();
        Instant.parse(history.get(0).get("at").asText());
    }

    @Test
    void aSubmitKeySeesOnlyItsOwnMessagesAndAnotherKeysIsAMissingOne() {
        String betas = gateway.submit(MailRequests.minimal(), "Authorization", BETA);
        awaitState(gateway, "/api/v1/messages/" + betas, ADMIN, "delivered");

        assertThat(get(gateway, "/api/v1/messages/" + betas, BETA).json().get("submitter").asText())
                .isEqualTo("http key key-" + sha256Prefix("beta-key-0123456789") + " from 127.0.0.1");
        Answer othersMessage = get(gateway, "/api/v1/messages/" + betas, ALPHA);
        Answer missing = get(gateway, "/api/v1/messages/00000000-0000-0000-0000-000000000000", ALPHA);
        assertThat(othersMessage.status()).isEqualTo(404);
        assertThat(othersMessage.json().get("type")).isEqualTo(missing.json().get("type"));
        assertThat(othersMessage.json().get("detail").asText())
                .isEqualTo(missing.json().get("detail").asText().replace("00000000-0000-0000-0000-000000000000", betas));

        // nor does the search show it to alpha
        String sender = "?sender=alerts%40example.com&limit=500";
        assertThat(ids(get(gateway, "/api/v1/messages" + sender, ALPHA).json())).doesNotContain(betas);
        assertThat(ids(get(gateway, "/api/v1/messages" + sender, ADMIN).json())).contains(betas);
        assertThat(ids(get(gateway, "/api/v1/messages" + sender, BETA).json())).contains(betas);
    }

    @Test
    void readingNeedsAKnownKeyAndAnAdminKeySendsNothing() {
        for (String path : List.of("/api/v1/messages", "/api/v1/messages/anything")) {
            Answer none = Http.get(gateway.http(path));
            assertThat(none.status()).as(path).isEqualTo(401);
            assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"mailroute\"");
            assertThat(none.json().get("detail").asText()).contains("mailroute.admin.keys");
            Answer wrong = get(gateway, path, "Bearer not-a-key");
            assertThat(wrong.status()).as(path).isEqualTo(401);
            assertThat(wrong.body()).doesNotContain("not-a-key");
        }
        Answer adminSends = Http.post(gateway.http("/api/v1/messages"), "application/json",
                MailRequests.json(MailRequests.minimal()), "Authorization", ADMIN);
        assertThat(adminSends.status()).isEqualTo(401);
        assertThat(adminSends.json().get("detail").asText()).contains("mailroute.api.keys");
    }

    @Test
    void theSearchFindsByEachField() {
        String tag = "search-" + System.nanoTime();
        ObjectNode request = MailRequests.minimal();
        request.put("from", tag + "@senders.example.com");
        request.putArray("to").add("Customer." + tag + "@Example.com");
        String id = gateway.submit(request, "Authorization", ALPHA);
        awaitState(gateway, "/api/v1/messages/" + id, ALPHA, "delivered");
        String messageId = get(gateway, "/api/v1/messages/" + id, ALPHA).json().get("messageId").asText();

        gateway.drop(tag + ".json", MailRequests.json(request));
        await().atMost(Duration.ofSeconds(30)).until(() -> search("sender=" + tag + "%40SENDERS.example.com"
                                                                  + "&ingress=file", ADMIN).size() == 1);

        assertThat(search("recipient=customer." + tag + "%40example.COM", ALPHA)).containsExactly(id);
        assertThat(search("sender=" + tag.toUpperCase() + "%40senders.example.com", ALPHA)).containsExactly(id);
        assertThat(search("messageId=" + enc(messageId), ALPHA)).containsExactly(id);
        assertThat(search("messageId=" + enc(messageId.substring(1, messageId.length() - 1)), ALPHA))
                .containsExactly(id);
        assertThat(search("recipient=customer." + tag + "%40example.com&state=delivered&ingress=http&since=1h",
                ALPHA)).containsExactly(id);
        assertThat(search("recipient=customer." + tag + "%40example.com&state=deferred", ALPHA)).isEmpty();
        assertThat(search("recipient=customer." + tag + "%40example.com&since="
                          + enc(Instant.now().plusSeconds(60).toString()), ALPHA)).isEmpty();
        assertThat(search("recipient=customer." + tag + "%40example.com&until="
                          + enc(Instant.now().minusSeconds(3600).toString()), ALPHA)).isEmpty();
        // both: the admin sees the file's message too, alpha only its own
        List<String> both = search("recipient=customer." + tag + "%40example.com", ADMIN);
        assertThat(both).hasSize(2).endsWith(id);
        JsonNode fromFile = get(gateway, "/api/v1/messages/" + both.get(0), ADMIN).json();
        assertThat(fromFile.get("ingress").asText()).isEqualTo("file");
        assertThat(fromFile.get("submitter").asText()).isEqualTo("file " + tag + ".json");
        assertThat(get(gateway, "/api/v1/messages/" + both.get(0), ALPHA).status()).isEqualTo(404);
    }

    @Test
    void pagesFollowOneAnotherWithoutGapsOrRepeatsWhileMoreArrive() {
        String sender = "paging-" + System.nanoTime() + "@example.com";
        Set<String> originals = new HashSet<>();
        for (int i = 0; i < 12; i++) {
            originals.add(submitFrom(sender));
        }
        String query = "/api/v1/messages?sender=" + enc(sender);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> get(gateway, query + "&limit=500", ADMIN).json().get("messages").size() == 12);

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Answer page = get(gateway, query + "&limit=5" + (cursor == null ? "" : "&cursor=" + cursor), ADMIN);
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            assertThat(page.json().get("messages").size()).isLessThanOrEqualTo(5);
            seen.addAll(ids(page.json()));
            cursor = page.json().has("next") ? page.json().get("next").asText() : null;
            // newer messages arrive between the pages
            submitFrom(sender);
            submitFrom(sender);
            pages++;
        } while (cursor != null && pages < 10);

        assertThat(seen).doesNotHaveDuplicates();
        assertThat(seen).containsAll(originals);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void everyBadParameterIsNamedWithItsReason() {
        Answer answer = get(gateway, "/api/v1/messages?limit=501&state=lost&since=yesterday&until=2h&to=x"
                                     + "&ingress=fax&cursor=bm9wZQ&sender=a%40x&sender=b%40x&recipient=", ADMIN);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.contentType()).isEqualTo("application/problem+json");
        assertThat(answer.json().get("type").asText()).isEqualTo("urn:mailroute:problem:invalid-request");
        assertThat(answer.json().get("errors")).extracting(e -> e.get("field").asText())
                .containsExactlyInAnyOrder("to", "recipient", "sender", "state", "ingress", "since", "limit",
                        "cursor");
        assertThat(answer.json().get("detail").asText())
                .contains("limit: 501 is not from 1 to 500")
                .contains("state: 'lost' is not one of bounced, deferred, deleted, delivered, expired, failed, held, queued")
                .contains("since: 'yesterday' is neither an ISO-8601 time")
                .contains("sender: given 2 times; give it once")
                .contains("to: unknown parameter");

        Answer order = get(gateway, "/api/v1/messages?since=1h&until=2h", ADMIN);
        assertThat(order.status()).isEqualTo(400);
        assertThat(order.json().get("errors").get(0).get("field").asText()).isEqualTo("since");
        Answer expand = get(gateway, "/api/v1/messages/x?expand=everything", ADMIN);
        assertThat(expand.status()).isEqualTo(400);
        assertThat(expand.json().get("errors").get(0).get("field").asText()).isEqualTo("expand");
    }

    @Test
    void hostileValuesAreOnlyEverValues() throws Exception {
        String id = gateway.submit(MailRequests.minimal(), "Authorization", ALPHA);
        awaitState(gateway, "/api/v1/messages/" + id, ALPHA, "delivered");

        for (String hostile : List.of("' OR '1'='1", "x') OR 1=1 --", "%' UNION SELECT id FROM ledger_message --",
                "'; DROP TABLE ledger_message; --", "ops@example.com\" OR \"\"=\"", "*", "%")) {
            Answer answer = get(gateway, "/api/v1/messages?recipient=" + enc(hostile) + "&sender=" + enc(hostile)
                                         + "&messageId=" + enc(hostile), ADMIN);
            assertThat(answer.status()).as(hostile).isEqualTo(200);
            assertThat(answer.json().get("messages")).as(hostile).isEmpty();
            assertThat(get(gateway, "/api/v1/messages/" + enc(hostile), ADMIN).status()).as(hostile).isEqualTo(404);
        }
        // a key name is no pattern either: alpha's own message, never another's
        assertThat(get(gateway, "/api/v1/messages/" + id, ALPHA).status()).isEqualTo(200);

        Answer longValue = get(gateway, "/api/v1/messages?recipient=" + "a".repeat(1000) + "%40example.com", ADMIN);
        assertThat(longValue.status()).isEqualTo(400);
        assertThat(longValue.json().get("detail").asText()).contains("recipient: is 1012 characters long; at most 320");
        // longer than a request line may be: the HTTP server refuses it before any route
        assertThat(get(gateway, "/api/v1/messages?recipient=" + "a".repeat(9000), ADMIN).status()).isEqualTo(414);

        Answer control = get(gateway, "/api/v1/messages?sender=ops%0d%0aX-Injected%3a%201%00%40example.com", ADMIN);
        assertThat(control.status()).isEqualTo(400);
        assertThat(control.json().get("errors").get(0).get("reason").asText()).isEqualTo("contains control characters");
        assertThat(control.header("X-Injected")).isNull();

        Answer longId = get(gateway, "/api/v1/messages/" + "f".repeat(3000), ADMIN);
        assertThat(longId.status()).isEqualTo(404);
        assertThat(longId.json().get("detail").asText().length()).isLessThan(300);
        Answer escapeId = get(gateway, "/api/v1/messages/%1b%5b31m%0a", ADMIN);
        assertThat(escapeId.status()).isEqualTo(404);
        assertThat(escapeId.body()).doesNotContain("\u001b");

        // a query no URI parser takes (Java's client will not send it): written on the socket
        try (LogCapture vertx = LogCapture.of("io.vertx.ext.web.RoutingContext")) {
            assertThat(rawStatusLine("/api/v1/messages?sender=%zz")).startsWith("HTTP/1.1 400");
            // mailroute answers it (a problem document), so Vert.x has no failure left to log
            assertThat(vertx.text()).as("Vert.x's 'Unhandled exception in router' at ERROR").isEmpty();
        }

        // the ledger still answers as before
        assertThat(get(gateway, "/api/v1/messages/" + id, ADMIN).json().get("id").asText()).isEqualTo(id);
    }

    @Test
    void eachQueuedItemOfABatchOrMergeSaysWhereItsStoryIs() {
        Answer batch = Http.post(gateway.http("/api/v1/messages/batch"), "application/json",
                "[" + MailRequests.json(MailRequests.minimal()) + ",{\"from\":\"bad\"}]", "Authorization", BETA);
        assertThat(batch.status()).isEqualTo(200);
        JsonNode queued = batch.json().get("results").get(0);
        assertThat(queued.get("location").asText()).isEqualTo("/api/v1/messages/" + queued.get("id").asText());
        assertThat(batch.json().get("results").get(1).has("location")).isFalse();
        assertThat(awaitState(gateway, queued.get("location").asText(), BETA, "delivered").get("submitter").asText())
                .startsWith("http key key-");

        ObjectNode merge = MailRequests.minimal();
        merge.remove("to");
        merge.put("text", "Dear {{name}}");
        merge.putArray("recipients").addObject().put("to", "reader@example.com").putObject("variables")
                .put("name", "Reader");
        Answer merged = Http.post(gateway.http("/api/v1/messages/merge"), "application/json", merge.toString(),
                "Authorization", BETA);
        assertThat(merged.status()).as(merged.body()).isEqualTo(200);
        JsonNode item = merged.json().get("results").get(0);
        assertThat(item.get("location").asText()).isEqualTo("/api/v1/messages/" + item.get("id").asText());
        JsonNode message = awaitState(gateway, item.get("location").asText(), BETA, "delivered");
        assertThat(message.get("ingress").asText()).isEqualTo("merge");
        assertThat(get(gateway, item.get("location").asText(), ALPHA).status()).isEqualTo(404);
    }

    private List<String> search(String query, String key) {
        Answer answer = get(gateway, "/api/v1/messages?" + query, key);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return ids(answer.json());
    }

    private String submitFrom(String sender) {
        ObjectNode request = MailRequests.minimal();
        request.put("from", sender);
        return gateway.submit(request, "Authorization", ALPHA);
    }

    private static String rawStatusLine(String target) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.http("").getPort())) {
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + ADMIN
                                            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
        }
    }

    static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("messages").forEach(m -> ids.add(m.get("id").asText()));
        return ids;
    }

    static Answer get(TestGateway gateway, String path, String authorization) {
        return Http.get(URI.create(gateway.http("").toString() + path), "Authorization", authorization);
    }

    /** The message once each of its recipients is in that state (the ledger is written in the background). */
    static JsonNode awaitState(TestGateway gateway, String path, String authorization, String state) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Answer answer = get(gateway, path, authorization);
            if (answer.status() != 200) {
                return false;
            }
            last[0] = answer.json();
            JsonNode recipients = last[0].get("recipients");
            if (recipients.isEmpty()) {
                return false;
            }
            for (JsonNode recipient : recipients) {
                if (!recipient.get("state").asText().equals(state)) {
                    return false;
                }
            }
            return true;
        });
        return last[0];
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String sha256Prefix(String key) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest).substring(0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
