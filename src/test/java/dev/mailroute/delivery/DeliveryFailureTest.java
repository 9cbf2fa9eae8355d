package dev.mailroute.delivery;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.delivery.smtp.RelayCircuit;
import dev.mailroute.support.GatewayConfig;
import dev.mailroute.support.Http;
import dev.mailroute.support.LogCapture;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.ScriptedSmtpServer.Stage;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestGateway;
import org.apache.camel.support.service.ServiceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each row of the failure classification table against a scripted relay: what the relay
 * received, what is scheduled on the queue, and what is parked in failed/ with which reason.
 */
class DeliveryFailureTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path data;

    private ScriptedSmtpServer relay;
    private TestGateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    private GatewayConfig config(int relayPort) {
        return TestGateway.on(data).smtp(relayPort)
                .with("mailroute.smtp.timeout", "1s")
                .with("mailroute.retry.initialDelay", "1s")
                .with("mailroute.retry.multiplier", "1")
                .with("mailroute.retry.maxDelay", "1s")
                .with("mailroute.circuit.failures", "100")
                .with("mailroute.circuit.probeInterval", "500");
    }

    private void start(GatewayConfig config) {
        gateway = config.start();
    }

    static Stream<Arguments> transientReplies() {
        return Stream.of(
                Arguments.of(Stage.GREETING, "421 4.3.2 service not available"),
                Arguments.of(Stage.MAIL, "450 4.2.1 mailbox busy"),
                Arguments.of(Stage.RCPT, "451 4.3.0 local error"),
                Arguments.of(Stage.DATA, "452 4.3.1 insufficient storage"),
                Arguments.of(Stage.END_OF_DATA, "451 4.3.0 try again later"),
                Arguments.of(Stage.MAIL, "432 4.3.2 too many concurrent connections"),
                Arguments.of(Stage.MAIL, "550 4.7.1 greylisted, try again later"),
                Arguments.of(Stage.RCPT, "552 5.2.2 mailbox full"),
                Arguments.of(Stage.GREETING, ScriptedSmtpServer.DROP),
                Arguments.of(Stage.MAIL, ScriptedSmtpServer.HANG));
    }

    @ParameterizedTest(name = "{1} at {0}")
    @MethodSource("transientReplies")
    void transientFailureIsScheduledAndDeliveredOnceTheRelayRecovers(Stage stage, String reply) throws Exception {
        relay = ScriptedSmtpServer.start().reply(stage, reply);
        start(config(relay.port()));

        String id = submit(MailRequests.minimal());
        await().until(() -> gateway.broker().scheduledCount("mail.outbound") == 1);
        assertThat(relay.transactions()).isEmpty();
        assertThat(gateway.files("failed")).isEmpty();

        relay.reply(stage, null);
        await().atMost(Duration.ofSeconds(15)).until(() -> relay.deliveriesTo("ops@example.com") == 1);
        gateway.awaitQueueEmpty(); // nothing left that could be delivered again
        assertThat(relay.deliveriesTo("ops@example.com")).as("exactly once").isEqualTo(1);
        assertThat(relay.transactions().get(0).data()).contains("Message-ID: <" + id + "@example.com>");
        assertThat(gateway.files("failed")).isEmpty();
    }

    static Stream<Arguments> permanentReplies() {
        return Stream.of(
                Arguments.of(Stage.MAIL, "550 5.7.1 relaying denied", 550, "5.7.1"),
                Arguments.of(Stage.MAIL, "553 5.1.3 bad sender address", 553, "5.1.3"),
                Arguments.of(Stage.RCPT, "550 5.1.1 user unknown", 550, "5.1.1"),
                Arguments.of(Stage.RCPT, "551 5.1.6 user not local", 551, "5.1.6"),
                Arguments.of(Stage.DATA, "554 5.6.0 content rejected", 554, "5.6.0"),
                Arguments.of(Stage.END_OF_DATA, "554 transaction failed", 554, null),
                Arguments.of(Stage.END_OF_DATA, "550 5.7.1 message looks like spam", 550, "5.7.1"));
    }

    @ParameterizedTest(name = "{1} at {0}")
    @MethodSource("permanentReplies")
    void permanentFailureIsParkedWithItsReason(Stage stage, String reply, int code, String enhanced) throws Exception {
        relay = ScriptedSmtpServer.start().reply(stage, reply);
        start(config(relay.port()));

        String id = submit(MailRequests.minimal());
        JsonNode record = awaitFailedRecord(id);
        assertThat(record.get("smtpCode").asInt()).isEqualTo(code);
        assertThat(record.get("enhancedCode").isNull() ? null : record.get("enhancedCode").asText()).isEqualTo(enhanced);
        assertThat(record.get("serverText").asText()).contains(reply);
        assertThat(record.get("attempts").asInt()).isEqualTo(1);
        assertThat(record.get("refusedRecipients").get(0).get("address").asText()).isEqualTo("ops@example.com");
        assertThat(record.get("firstAttempt").asText()).isNotBlank();
        assertThat(Files.readString(gateway.folder("failed").resolve(id + ".eml")))
                .startsWith("X-Sender: alerts@example.com\r\nX-Receiver: ops@example.com\r\n");

        await().until(() -> gateway.broker().messageCount("mail.failed") == 1);
        assertThat(gateway.broker().messageCount("mail.outbound")).as("nothing scheduled").isZero();
        assertThat(relay.transactions()).isEmpty();
    }

    @Test
    void partialFailureNeverResendsToAcceptedRecipients() throws Exception {
        relay = ScriptedSmtpServer.start()
                .replyTo("unknown@example.com", "550 5.1.1 user unknown")
                .replyTo("later@example.com", "451 4.2.1 try later");
        start(config(relay.port()));

        ObjectNode request = MailRequests.minimal();
        request.putArray("to").add("ops@example.com").add("unknown@example.com").add("later@example.com");
        String id = submit(request);

        await().until(() -> relay.deliveriesTo("ops@example.com") == 1);
        JsonNode record = awaitFailedRecord(id);
        assertThat(record.get("kind").asText()).isEqualTo("partial");
        assertThat(record.get("refusedRecipients")).extracting(r -> r.get("address").asText())
                .containsExactly("unknown@example.com");
        assertThat(record.get("deliveredRecipients")).extracting(JsonNode::asText).containsExactly("ops@example.com");
        assertThat(Files.readString(gateway.folder("failed").resolve(id + ".eml")))
                .contains("X-Receiver: unknown@example.com\r\n").doesNotContain("X-Receiver: ops@example.com");
        await().until(() -> gateway.broker().scheduledCount("mail.outbound") == 1);

        relay.replyTo("later@example.com", null);
        await().until(() -> relay.deliveriesTo("later@example.com") == 1);
        gateway.awaitQueueEmpty();
        assertThat(relay.transactions()).hasSize(2);
        assertThat(relay.transactions().get(1).recipients()).as("the retry goes to the deferred recipient alone")
                .containsExactly("later@example.com");
        assertThat(relay.deliveriesTo("ops@example.com")).isEqualTo(1);
        assertThat(relay.deliveriesTo("unknown@example.com")).isZero();
    }

    @Test
    void aParkedMessageMovedIntoTheInboxGoesToTheRecipientsThatFailedOnly() throws Exception {
        relay = ScriptedSmtpServer.start().replyTo("unknown@example.com", "550 5.1.1 user unknown");
        start(config(relay.port()));
        ObjectNode request = MailRequests.minimal();
        request.putArray("to").add("ops@example.com").add("unknown@example.com");
        request.put("text", "first\r\n.a line that begins with a dot\r\n.\r\nlast");
        String id = submit(request);
        awaitFailedRecord(id);
        // the record is byte-stuffed like a pickup file, and read back un-stuffed
        assertThat(Files.readString(gateway.folder("failed").resolve(id + ".eml")))
                .contains("\r\n..a line that begins with a dot\r\n..\r\nlast");

        relay.replyTo("unknown@example.com", null); // the mailbox exists now
        Files.move(gateway.folder("failed").resolve(id + ".eml"), gateway.folder("inbox").resolve(id + ".eml"));
        await().until(() -> relay.deliveriesTo("unknown@example.com") == 1);
        gateway.awaitInboxEmpty();
        gateway.awaitQueueEmpty();
        assertThat(relay.deliveriesTo("ops@example.com")).isEqualTo(1);
        assertThat(relay.transactions().get(1).data()).contains("Message-ID: <" + id + "@example.com>")
                .isEqualTo(relay.transactions().get(0).data());
    }

    @Test
    void tlsHandshakeFailureIsTransient() {
        relay = ScriptedSmtpServer.start(); // speaks plain SMTP where TLS is expected
        start(config(relay.port()).with("mailroute.smtp.security", "tls"));

        submit(MailRequests.minimal());
        await().until(() -> gateway.broker().scheduledCount("mail.outbound") == 1);
        assertThat(gateway.files("failed")).isEmpty();
        assertThat(relay.transactions()).isEmpty();
    }

    @Test
    void refusedAuthenticationStopsDeliveryKeepsMailQueuedAndSaysSo() throws Exception {
        relay = ScriptedSmtpServer.start().advertiseAuth(true)
                .reply(Stage.AUTH, "535 5.7.8 Authentication credentials invalid");
        start(config(relay.port()).with("mailroute.smtp.username", "alerts")
                .with("mailroute.smtp.password", "wrong"));

        submit(MailRequests.minimal());
        await().until(() -> Http.get(gateway.http("/observe/health")).body().contains("refuses mailroute"));
        assertThat(Http.get(gateway.http("/observe/health")).status()).isEqualTo(503);
        await().until(() -> ServiceHelper.isSuspended(gateway.context().getRoute("deliver").getConsumer()));
        assertThat(gateway.broker().messageCount("mail.outbound")).as("still queued").isEqualTo(1);
        assertThat(gateway.files("failed")).isEmpty();
        assertThat(relay.transactions()).isEmpty();

        relay.reply(Stage.AUTH, null); // credentials fixed at the relay: the probe notices
        await().until(() -> relay.deliveriesTo("ops@example.com") == 1);
        await().until(() -> Http.get(gateway.http("/observe/health")).status() == 200);
        // held by a rollback, handed out again by the broker: counted as a redelivery
        assertThat(gateway.metric("mailroute_messages_redelivered_total\\{transport=\"smtp\"}")).isEqualTo(1);
        assertThat(gateway.metric("mailroute_messages_delivered_total\\{transport=\"smtp\"}")).isEqualTo(1);
    }

    @Test
    void aMessageStillFailingAfterMaxAgeIsParkedAsExpired() throws Exception {
        relay = ScriptedSmtpServer.start().reply(Stage.MAIL, "451 4.3.0 try again later");
        start(config(relay.port()).with("mailroute.retry.initialDelay", "300")
                .with("mailroute.retry.maxDelay", "300").with("mailroute.retry.maxAge", "1500"));

        String id = submit(MailRequests.minimal());
        JsonNode record = awaitFailedRecord(id);
        assertThat(record.get("kind").asText()).isEqualTo("expired");
        assertThat(record.get("reason").asText()).contains("mailroute.retry.maxAge").contains("451 4.3.0");
        assertThat(record.get("attempts").asInt()).isGreaterThan(1);
        // the record is written inside the queue transaction; the commit follows
        await().until(() -> gateway.broker().messageCount("mail.outbound") == 0);
    }

    @Test
    void repeatedConnectionFailuresOpenTheCircuitAndAProbeClosesIt() throws Exception {
        int port = TestGateway.freePort(); // nothing listens yet
        start(config(port).with("mailroute.circuit.failures", "2"));

        for (int i = 0; i < 3; i++) {
            submit(MailRequests.minimal().put("subject", "circuit " + i));
        }
        await().until(() -> ServiceHelper.isSuspended(gateway.context().getRoute("deliver").getConsumer()));
        assertThat(Http.get(gateway.http("/observe/health")).body()).contains("circuit is OPEN");
        assertThat(gateway.broker().messageCount("mail.outbound")).as("all still queued").isEqualTo(3);

        relay = ScriptedSmtpServer.start(port);
        await().atMost(Duration.ofSeconds(20)).until(() -> relay.transactions().size() == 3);
        await().until(() -> Http.get(gateway.http("/observe/health")).status() == 200);
    }

    /** Each change of state is logged; a failure while half-open opens the circuit again. */
    @Test
    void aFailureWhileHalfOpenOpensTheCircuitAgainAndEveryChangeIsLogged() throws Exception {
        int port = TestGateway.freePort(); // nothing listens yet
        try (LogCapture log = LogCapture.of(RelayCircuit.class)) {
            start(config(port).with("mailroute.circuit.failures", "1"));
            submit(MailRequests.minimal());
            await().until(() -> log.lines().stream().anyMatch(l -> l.startsWith("WARN relay circuit OPEN (was CLOSED)")));

            // the relay is back for a probe (connect, EHLO, QUIT), but drops every transaction
            relay = ScriptedSmtpServer.start(port).reply(Stage.MAIL, ScriptedSmtpServer.DROP);
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> log.lines().stream().anyMatch(l -> l.startsWith("WARN relay circuit OPEN (was HALF_OPEN)")));
            assertThat(relay.transactions()).isEmpty();

            relay.reply(Stage.MAIL, null);
            await().atMost(Duration.ofSeconds(15)).until(() -> relay.transactions().size() == 1);
            await().until(() -> log.lines().stream().anyMatch(l -> l.startsWith("INFO relay circuit CLOSED")));
            List<String> changes = log.lines().stream().filter(l -> l.contains("relay circuit ")
                                                                   && !l.contains("still OPEN")).toList();
            assertThat(changes).extracting(l -> l.replaceAll("^(\\w+ relay circuit \\w+).*", "$1")).containsExactly(
                    "WARN relay circuit OPEN", "INFO relay circuit HALF_OPEN", "WARN relay circuit OPEN",
                    "INFO relay circuit HALF_OPEN", "INFO relay circuit CLOSED");
        }
    }

    /** Every field of a failed/ record, and a second record for the same message beside the first. */
    @Test
    void aSecondParkingOfTheSameMessageIsASecondRecordWithEveryField() throws Exception {
        relay = ScriptedSmtpServer.start()
                .replyTo("unknown@example.com", "550 5.1.1 user unknown")
                .replyTo("later@example.com", "451 4.2.1 try later");
        start(config(relay.port()).with("mailroute.retry.initialDelay", "300").with("mailroute.retry.maxDelay", "300")
                .with("mailroute.retry.maxAge", "1500"));
        ObjectNode request = MailRequests.minimal().put("id", "client-key-9");
        request.putArray("to").add("ops@example.com").add("unknown@example.com").add("later@example.com");
        String id = submit(request);

        JsonNode first = awaitFailedRecord(id);
        Path second = gateway.folder("failed").resolve(id + "-2.json");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(second)
                                                          && Files.exists(gateway.folder("failed").resolve(id + "-2.eml")));
        assertThat(first.get("kind").asText()).isEqualTo("partial");
        JsonNode expired = MAPPER.readTree(second.toFile());
        assertThat(expired.get("kind").asText()).isEqualTo("expired");
        assertThat(expired.get("refusedRecipients")).extracting(r -> r.get("address").asText())
                .containsExactly("later@example.com");
        assertThat(Files.readString(gateway.folder("failed").resolve(id + "-2.eml")))
                .startsWith("X-Sender: alerts@example.com\r\nX-Receiver: later@example.com\r\n");

        assertThat(first.fieldNames()).toIterable().containsExactly("id", "clientId", "kind", "reason", "smtpCode",
                "enhancedCode", "serverText", "attempts", "firstAttempt", "lastAttempt", "ingress", "transport",
                "sender", "recipients", "refusedRecipients", "deliveredRecipients", "parkedAt");
        assertThat(first.get("id").asText()).isEqualTo(id);
        assertThat(first.get("clientId").asText()).isEqualTo("client-key-9");
        assertThat(first.get("smtpCode").asInt()).isEqualTo(550);
        assertThat(first.get("enhancedCode").asText()).isEqualTo("5.1.1");
        assertThat(first.get("serverText").asText()).contains("user unknown");
        assertThat(first.get("attempts").asInt()).isEqualTo(1);
        assertThat(Instant.parse(first.get("firstAttempt").asText())).as("one attempt: first is last")
                .isEqualTo(Instant.parse(first.get("lastAttempt").asText()));
        assertThat(first.get("ingress").asText()).isEqualTo("http");
        assertThat(first.get("transport").asText()).isEqualTo("smtp");
        assertThat(first.get("sender").asText()).isEqualTo("alerts@example.com");
        assertThat(first.get("recipients")).extracting(JsonNode::asText)
                .containsExactly("ops@example.com", "unknown@example.com", "later@example.com");
        assertThat(first.get("refusedRecipients").get(0).get("address").asText()).isEqualTo("unknown@example.com");
        assertThat(first.get("refusedRecipients").get(0).get("smtpCode").asInt()).isEqualTo(550);
        assertThat(first.get("deliveredRecipients")).extracting(JsonNode::asText).containsExactly("ops@example.com");
        assertThat(Instant.parse(first.get("parkedAt").asText())).isNotNull();
        assertThat(expired.get("attempts").asInt()).isGreaterThan(1);
        assertThat(Instant.parse(expired.get("firstAttempt").asText()))
                .isEqualTo(Instant.parse(first.get("firstAttempt").asText()));
    }

    @Test
    void withPickupFallbackAnOpenCircuitDeliversIntoThePickupFolder() {
        start(config(TestGateway.freePort()).with("mailroute.circuit.failures", "1")
                .with("mailroute.smtp.fallback", "pickup"));

        String id = submit(MailRequests.minimal());
        await().until(() -> Files.exists(gateway.folder("pickup").resolve(id + ".eml")));
        assertThat(gateway.files("failed")).isEmpty();
    }

    @Test
    void throttleNeverExceedsTheRate() {
        relay = ScriptedSmtpServer.start();
        start(config(relay.port()).with("mailroute.throttle.rate", "2").with("mailroute.throttle.period", "3s"));

        String batch = "[" + String.join(",", java.util.Collections.nCopies(6,
                MailRequests.json(MailRequests.minimal()))) + "]";
        assertThat(Http.post(gateway.http("/api/v1/messages/batch"), "application/json", batch).status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.transactions().size() == 6);
        List<ScriptedSmtpServer.Transaction> sent = relay.transactions();
        // 2 per 3 s: no three deliveries within one period, wherever it starts. The period is long
        // beside the jitter between the throttle and the relay's clock (a few ms), so the 100 ms
        // allowed for it cannot hide a burst.
        for (int i = 0; i + 2 < sent.size(); i++) {
            assertThat(sent.get(i + 2).receivedAt() - sent.get(i).receivedAt())
                    .as("ms from delivery %d to delivery %d", i + 1, i + 3).isGreaterThanOrEqualTo(2900);
        }
    }

    @Test
    void aScheduledRetrySurvivesARestart() throws Exception {
        relay = ScriptedSmtpServer.start().reply(Stage.MAIL, "451 4.3.0 try again later");
        // far longer than any restart takes: the retry must still be waiting afterwards
        GatewayConfig config = config(relay.port()).with("mailroute.retry.initialDelay", "10m")
                .with("mailroute.retry.maxDelay", "10m");
        start(config);
        String id = submit(MailRequests.minimal());
        await().until(() -> gateway.broker().scheduledCount("mail.outbound") == 1);
        gateway.close();
        gateway = null;

        relay.reply(Stage.MAIL, null);
        start(config);
        assertThat(gateway.broker().scheduledCount("mail.outbound")).as("still scheduled after the restart")
                .isEqualTo(1);
        assertThat(relay.transactions()).isEmpty();
        gateway.broker().flush("mail.outbound");
        await().atMost(Duration.ofSeconds(15)).until(() -> relay.deliveriesTo("ops@example.com") == 1);
        assertThat(relay.transactions().get(0).data()).contains(id);
    }

    @Test
    void anUnusablePickupFolderIsTransientAndTheRecordNamesPathAndCause() throws Exception {
        start(TestGateway.on(data).with("mailroute.retry.initialDelay", "300").with("mailroute.retry.maxDelay", "300")
                .with("mailroute.retry.maxAge", "1500"));
        Path pickup = gateway.folder("pickup");
        Files.delete(pickup);
        Files.writeString(pickup, "a file where the folder should be");

        String id = submit(MailRequests.minimal());
        JsonNode record = awaitFailedRecord(id);
        assertThat(record.get("kind").asText()).isEqualTo("expired");
        assertThat(record.get("reason").asText()).contains("pickup folder " + pickup)
                .contains("it exists but is not a folder").contains("Fix:");
        assertThat(record.get("attempts").asInt()).isGreaterThan(1);
    }

    private String submit(ObjectNode request) {
        return gateway.submit(request);
    }

    private JsonNode awaitFailedRecord(String id) throws Exception {
        Path json = gateway.folder("failed").resolve(id + ".json");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(json)
                                                          && Files.exists(json.resolveSibling(id + ".eml")));
        return MAPPER.readTree(json.toFile());
    }
}
