package dev.mailroute.ingress;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.support.Http;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestGateway;
import jakarta.jms.Connection;
import jakarta.jms.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Merge requests — one template, a message per recipient with its own variables — over HTTP, from
 * the inbox and over JMS, delivered to a relay and parsed back.
 */
class MergeRequestTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ScriptedSmtpServer relay;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        relay = ScriptedSmtpServer.start();
        // the limits the tests of rendering and counting go over; the thousand recipients fit
        gateway = TestGateway.on(Scratch.folder("mailroute-merge")).smtp(relay.port())
                .with("mailroute.message.maxInFlight", "16MiB")
                .with("mailroute.merge.maxRecipients", "1000")
                .start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
        relay.close();
    }

    @BeforeEach
    void settle() {
        gateway.awaitQueueEmpty();
    }

    private static ObjectNode template(String campaign) {
        ObjectNode merge = JSON.createObjectNode();
        merge.put("from", "News <news@example.com>");
        merge.put("subject", campaign + " for {{name}}");
        merge.put("text", "Dear {{name}}, your code is {{code}}.");
        merge.put("html", "<p>Dear {{name}}, your code is <b>{{code}}</b>.</p>");
        return merge;
    }

    private static ObjectNode recipient(ArrayNode recipients, String to, String name, String code) {
        ObjectNode recipient = recipients.addObject();
        recipient.put("to", to);
        ObjectNode variables = recipient.putObject("variables");
        variables.put("name", name);
        if (code != null) {
            variables.put("code", code);
        }
        return recipient;
    }

    @Test
    void aThousandRecipientsAreAThousandMessagesEachWithItsOwnVariables() throws Exception {
        ObjectNode merge = template("Thousand");
        ArrayNode recipients = merge.putArray("recipients");
        for (int i = 0; i < 1000; i++) {
            recipient(recipients, "r" + i + "@example.com", "Reader " + i, "C" + i);
        }
        Http.Answer answer = post(merge);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        JsonNode results = answer.json().get("results");
        assertThat(results).hasSize(1000);
        Set<String> ids = new HashSet<>();
        for (JsonNode result : results) {
            assertThat(result.get("status").asText()).isEqualTo("queued");
            ids.add(result.get("id").asText());
        }
        assertThat(ids).hasSize(1000);
        await().atMost(Duration.ofSeconds(60)).until(() -> delivered("Thousand").size() == 1000);
        for (ScriptedSmtpServer.Transaction t : delivered("Thousand")) {
            String to = t.recipients().get(0);
            int i = Integer.parseInt(to.substring(1, to.indexOf('@')));
            MimeMessage message = parse(t.data());
            assertThat(message.getSubject()).isEqualTo("Thousand for Reader " + i);
            MimeMultipart alternative = (MimeMultipart) message.getContent();
            assertThat(alternative.getBodyPart(0).getContent()).isEqualTo("Dear Reader " + i + ", your code is C" + i + ".");
        }
    }

    @Test
    void variablesAreHtmlEscapedInHtmlOnlyAndAMissingOneIsThatRecipientsProblem() throws Exception {
        ObjectNode merge = template("Escaping");
        ArrayNode recipients = merge.putArray("recipients");
        recipient(recipients, "tom@example.com", "Tom & <Jerry>", "1 < 2");
        recipient(recipients, "nocode@example.com", "No Code", null);
        recipient(recipients, "injected@example.com", "x\r\nBcc: victim@elsewhere.example", "3");
        Http.Answer answer = post(merge);
        assertThat(answer.status()).isEqualTo(200);
        JsonNode results = answer.json().get("results");
        assertThat(results.get(0).get("status").asText()).isEqualTo("queued");
        assertThat(results.get(1).get("status").asText()).isEqualTo("rejected");
        assertThat(results.get(1).get("errors").toString()).contains("recipients[1].variables.code")
                .contains("missing; the text uses {{code}}");
        assertThat(results.get(2).get("status").asText()).isEqualTo("rejected");
        assertThat(results.get(2).get("errors").toString()).contains("recipients[2].variables")
                .contains("line break");

        await().until(() -> delivered("Escaping").size() == 1);
        gateway.awaitQueueEmpty();
        assertThat(delivered("Escaping")).hasSize(1);
        MimeMessage message = parse(delivered("Escaping").get(0).data());
        assertThat(message.getSubject()).isEqualTo("Escaping for Tom & <Jerry>");
        MimeMultipart alternative = (MimeMultipart) message.getContent();
        assertThat(alternative.getBodyPart(0).getContent()).isEqualTo("Dear Tom & <Jerry>, your code is 1 < 2.");
        assertThat((String) alternative.getBodyPart(1).getContent())
                .isEqualTo("<p>Dear Tom &amp; &lt;Jerry&gt;, your code is <b>1 &lt; 2</b>.</p>");
        assertThat(relay.deliveriesTo("victim@elsewhere.example")).isZero();
    }

    @Test
    void aRepeatedRequestWithTheSameKeyIsAnsweredWithTheSameIdsAndQueuesNothing() {
        ObjectNode merge = template("Repeat");
        ArrayNode recipients = merge.putArray("recipients");
        for (int i = 0; i < 5; i++) {
            recipient(recipients, "again" + i + "@example.com", "R" + i, "K" + i);
        }
        Http.Answer first = post(merge, "Idempotency-Key", "invoice-run-7");
        await().until(() -> delivered("Repeat").size() == 5);
        double duplicates = Math.max(0, gateway.metric("mailroute_messages_duplicate_total\\{ingress=\"http\"}"));
        Http.Answer second = post(merge, "Idempotency-Key", "invoice-run-7");
        assertThat(second.json().get("results")).isEqualTo(first.json().get("results"));
        // the answer comes once each recipient was found a duplicate: counted, and nothing was queued
        assertThat(gateway.metric("mailroute_messages_duplicate_total\\{ingress=\"http\"}") - duplicates).isEqualTo(5);
        gateway.awaitQueueEmpty();
        assertThat(delivered("Repeat")).hasSize(5);
    }

    @Test
    void anInboxMergeFileIsQueuedWholeOrRejectedWithEveryProblem() throws Exception {
        ObjectNode bad = template("Inbox bad");
        ArrayNode badRecipients = bad.putArray("recipients");
        recipient(badRecipients, "ok@example.com", "Ok", "1");
        recipient(badRecipients, "not an address@", "Broken", null);
        gateway.drop("bad.merge.json", JSON.writeValueAsString(bad));

        ObjectNode good = template("Inbox good");
        ArrayNode goodRecipients = good.putArray("recipients");
        for (int i = 0; i < 3; i++) {
            recipient(goodRecipients, "inbox" + i + "@example.com", "I" + i, "G" + i);
        }
        gateway.drop("good.merge.json", JSON.writeValueAsString(good));

        await().atMost(Duration.ofSeconds(20)).until(() -> delivered("Inbox good").size() == 3);
        Path reason = gateway.awaitFiles("rejected", 2).stream()
                .filter(p -> p.getFileName().toString().equals("bad.merge.json.error.txt")).findFirst().orElseThrow();
        assertThat(Files.readString(reason)).contains("recipients[1].to").contains("recipients[1].variables.code");
        gateway.awaitQueueEmpty();
        assertThat(delivered("Inbox bad")).as("nothing of a rejected file").isEmpty();
    }

    @Test
    void aJmsMergeDocumentIsDeliveredToEveryRecipient() throws Exception {
        ObjectNode merge = template("Over JMS");
        ArrayNode recipients = merge.putArray("recipients");
        for (int i = 0; i < 4; i++) {
            recipient(recipients, "jms" + i + "@example.com", "J" + i, "Q" + i);
        }
        try (ActiveMQConnectionFactory factory = gateway.submitter();
             Connection connection = factory.createConnection();
             Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            session.createProducer(session.createQueue("mail.submit"))
                    .send(session.createTextMessage(JSON.writeValueAsString(merge)));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> delivered("Over JMS").size() == 4);
        List<String> subjects = new ArrayList<>();
        for (ScriptedSmtpServer.Transaction t : delivered("Over JMS")) {
            subjects.add(parse(t.data()).getSubject());
        }
        assertThat(subjects).containsExactlyInAnyOrder("Over JMS for J0", "Over JMS for J1", "Over JMS for J2",
                "Over JMS for J3");
    }

    @Test
    void aVariableRepeatedIntoGigabytesIsRefusedForItsRecipientBeforeTheMemoryIsSpent() {
        // 615 KB sent, 1.8 GB if rendered: {{v}} 3,000 times with a 600 KB variable
        ObjectNode merge = JSON.createObjectNode();
        merge.put("from", "news@example.com");
        merge.put("subject", "Blowup for {{name}}");
        merge.put("text", "{{v}}".repeat(3000));
        ArrayNode recipients = merge.putArray("recipients");
        ((ObjectNode) recipient(recipients, "blowup@example.com", "B", null).get("variables")).put("v", "x".repeat(600_000));
        long started = System.nanoTime();
        Http.Answer answer = post(merge);
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        JsonNode result = answer.json().get("results").get(0);
        assertThat(result.get("status").asText()).isEqualTo("rejected");
        assertThat(result.get("errors").get(0).get("field").asText()).isEqualTo("recipients[0].text");
        assertThat(result.get("errors").get(0).get("reason").asText())
                .contains("more than 10485760 bytes (mailroute.message.maxBytes)");
        assertThat(took).as("stopped at the limit, not rendered whole").isLessThan(Duration.ofSeconds(15));

        ObjectNode after = template("After blowup");
        recipient(after.putArray("recipients"), "after@example.com", "A", "1");
        assertThat(post(after).json().get("results").get(0).get("status").asText()).isEqualTo("queued");
        await().atMost(Duration.ofSeconds(20)).until(() -> delivered("After blowup").size() == 1);
    }

    @Test
    void messagesThatTogetherRenderPastTheRequestsShareOfMemoryAreRefusedWith413() {
        // 9 MB a recipient, each within mailroute.message.maxBytes; four are over twice maxInFlight (32 MiB)
        ObjectNode merge = JSON.createObjectNode();
        merge.put("from", "news@example.com");
        merge.put("subject", "Budget for {{name}}");
        merge.put("text", "{{v}}".repeat(3000));
        ArrayNode recipients = merge.putArray("recipients");
        for (int i = 0; i < 4; i++) {
            ((ObjectNode) recipient(recipients, "budget" + i + "@example.com", "B" + i, null).get("variables"))
                    .put("v", "y".repeat(3000));
        }
        Http.Answer answer = post(merge);
        assertThat(answer.status()).as(answer.body()).isEqualTo(413);
        assertThat(answer.json().get("type").asText()).isEqualTo("urn:mailroute:problem:too-large");
        assertThat(answer.json().get("detail").asText()).contains("the text of recipients[3]")
                .contains("33554432 bytes").contains("mailroute.message.maxInFlight");
        // refused before anything was queued: the transaction never began
        assertThat(delivered("Budget")).isEmpty();
    }

    @Test
    void aTemplateOfEmptyVariablesCostsTheRequestItsLengthForEveryRecipient() {
        // writes nothing, walks a million characters for each recipient: 40 recipients are 40 MB of work
        ObjectNode merge = JSON.createObjectNode();
        merge.put("from", "news@example.com");
        merge.put("subject", "Empty for {{name}}");
        merge.put("text", "{{v}}".repeat(200_000));
        ArrayNode recipients = merge.putArray("recipients");
        for (int i = 0; i < 40; i++) {
            ((ObjectNode) recipient(recipients, "empty" + i + "@example.com", "E" + i, null).get("variables"))
                    .put("v", "");
        }
        Http.Answer answer = post(merge);
        assertThat(answer.status()).as(answer.body()).isEqualTo(413);
        assertThat(answer.json().get("detail").asText()).contains("the text of recipients[")
                .contains("mailroute.message.maxInFlight");
        assertThat(delivered("Empty")).isEmpty();
    }

    @Test
    void aTemplateNestedThreeThousandSectionsDeepIsRefusedNamingTheDepth() {
        ObjectNode merge = template("Deep");
        merge.put("text", "{{#name}}".repeat(3000) + "deep" + "{{/name}}".repeat(3000));
        recipient(merge.putArray("recipients"), "deep@example.com", "D", "1");
        Http.Answer answer = post(merge);
        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        JsonNode error = answer.json().get("errors").get(0);
        assertThat(error.get("field").asText()).isEqualTo("text");
        assertThat(error.get("reason").asText()).contains("more than 32 deep");

        ObjectNode nested = template("Nested");
        nested.put("text", "{{#name}}".repeat(32) + "Dear {{name}}, {{code}}" + "{{/name}}".repeat(32));
        recipient(nested.putArray("recipients"), "nested@example.com", "N", "7");
        assertThat(post(nested).json().get("results").get(0).get("status").asText()).isEqualTo("queued");
    }

    @Test
    void theRecipientLimitCountsEveryAddressOfAGroup() {
        // two entries, 1,001 addresses: the limit is 1,000 (mailroute.merge.maxRecipients)
        ObjectNode merge = template("Group");
        ArrayNode recipients = merge.putArray("recipients");
        recipient(recipients, "single@example.com", "S", "1");
        StringBuilder team = new StringBuilder("team: ");
        for (int i = 0; i < 1000; i++) {
            team.append(i == 0 ? "" : ", ").append("member").append(i).append("@example.com");
        }
        recipient(recipients, team.append(";").toString(), "Team", "2");
        Http.Answer answer = post(merge);
        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        JsonNode error = answer.json().get("errors").get(0);
        assertThat(error.get("field").asText()).isEqualTo("recipients");
        assertThat(error.get("reason").asText()).contains("1001 addresses").contains("at most 1000")
                .contains("mailroute.merge.maxRecipients");
        assertThat(delivered("Group")).isEmpty();
    }

    private static Http.Answer post(ObjectNode merge, String... headers) {
        try {
            return Http.post(gateway.http("/api/v1/messages/merge"), "application/json",
                    JSON.writeValueAsString(merge), headers);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<ScriptedSmtpServer.Transaction> delivered(String campaign) {
        return relay.transactions().stream().filter(t -> t.data().contains("Subject: " + campaign + " for ")).toList();
    }

    private static MimeMessage parse(String data) throws Exception {
        return new MimeMessage(jakarta.mail.Session.getInstance(new Properties()),
                new ByteArrayInputStream(data.getBytes(StandardCharsets.ISO_8859_1)));
    }
}
