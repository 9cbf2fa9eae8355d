package dev.mailroute.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.support.GatewayConfig;
import dev.mailroute.support.LedgerRows;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.ScriptedSmtpServer.Stage;
import dev.mailroute.support.TestGateway;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message's story in the ledger, as the stages write it: accepted through each ingress, then
 * delivered (with the relay's own reply), deferred (each attempt with its reason) and refused for
 * good (the relay's 5xx text) — read back from the SQLite file mailroute writes.
 */
class LedgerStoryTest {

    private static final String RELAY_ANSWER = "250 2.0.0 Ok: queued as 7F3A";

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

    @Test
    void aMessageFromEachIngressIsFoundByRecipientSenderAndMessageIdWithTheRelaysReply() throws Exception {
        relay = ScriptedSmtpServer.start().reply(Stage.END_OF_DATA, RELAY_ANSWER);
        GatewayConfig config = TestGateway.on(data).smtp(relay.port());
        gateway = config.start();
        LedgerRows ledger = LedgerRows.of(config);

        ObjectNode request = MailRequests.minimal();
        request.putArray("to").add("http@example.com");
        request.put("subject", "Invoice \"17\" \u202e<script>");
        String httpId = gateway.submit(request);

        Properties smtp = new Properties();
        smtp.put("mail.smtp.host", "127.0.0.1");
        smtp.put("mail.smtp.port", Integer.toString(gateway.smtpdPort()));
        MimeMessage mail = new MimeMessage(jakarta.mail.Session.getInstance(smtp));
        mail.setFrom(new InternetAddress("smtp-sender@example.com"));
        mail.setRecipients(jakarta.mail.Message.RecipientType.TO, "smtp@example.com");
        mail.setSubject("Über SMTP", "UTF-8");
        mail.setText("by SMTP");
        Transport.send(mail);

        try (Connection connection = config.submitter().createConnection()) {
            Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            MessageProducer producer = session.createProducer(session.createQueue("mail.submit"));
            producer.send(session.createTextMessage("""
                    {"from":"jms-sender@example.com","to":["jms@example.com"],"subject":"by JMS","text":"x"}"""));
            session.commit();
        }

        gateway.drop("order-5.json", """
                {"from":"file-sender@example.com","to":["file@example.com"],"subject":"by file","text":"x"}""");

        for (String ingress : List.of("http", "smtp", "jms", "file")) {
            String recipient = ingress + "@example.com";
            Map<String, Object> row = ledger.await(rows -> rows.size() == 1 && "delivered".equals(rows.get(0).get("state")),
                    "SELECT r.*, m.* FROM ledger_recipient r JOIN ledger_message m ON m.id = r.mail_id"
                    + " WHERE lower(r.address) = lower(?)", recipient.toUpperCase()).get(0);
            assertThat(row.get("ingress")).as(recipient).isEqualTo(ingress);
            assertThat(((Number) row.get("reply_code")).intValue()).as(recipient).isEqualTo(250);
            assertThat(row.get("reply_status")).as(recipient).isEqualTo("2.0.0");
            assertThat(row.get("reply_text")).as(recipient).isEqualTo(RELAY_ANSWER);
            assertThat(((Number) row.get("attempts")).intValue()).isEqualTo(1);

            // found by its sender and its Message-ID too: the Message-ID the relay received
            String id = (String) row.get("mail_id");
            String delivered = relay.transactions().stream().filter(t -> t.recipients().contains(recipient))
                    .findFirst().orElseThrow().data();
            String messageId = new MimeMessage(null, new ByteArrayInputStream(delivered.getBytes(StandardCharsets.UTF_8)))
                    .getMessageID();
            assertThat(ledger.query("SELECT id FROM ledger_message WHERE message_id = ?", messageId))
                    .extracting(m -> m.get("id")).containsExactly(id);
            assertThat(ledger.query("SELECT id FROM ledger_message WHERE lower(sender) = lower(?)",
                    row.get("sender"))).extracting(m -> m.get("id")).contains(id);

            Map<String, Object> attempt = ledger.attempts(id).get(0);
            assertThat(attempt.get("transport")).isEqualTo("smtp");
            assertThat(attempt.get("relay")).isEqualTo("127.0.0.1:" + relay.port());
            assertThat(attempt.get("outcome")).isEqualTo("delivered");
            assertThat(attempt.get("reply_text")).isEqualTo(RELAY_ANSWER);
        }

        Map<String, Object> http = ledger.message(httpId);
        // kept as written (escaped where it is shown, not where it is kept)
        assertThat(http.get("subject")).isEqualTo("Invoice \"17\" \u202e<script>");
        // sent without a key (the API is open on loopback): no key name, the client's address
        assertThat(http.get("api_key")).isNull();
        assertThat(http.get("submitter")).isEqualTo("http from 127.0.0.1");
        assertThat(ledger.query("SELECT submitter, sender, subject FROM ledger_message WHERE lower(sender) ="
                                + " 'smtp-sender@example.com'").get(0))
                .containsEntry("subject", "Über SMTP")
                .hasEntrySatisfying("submitter", s -> assertThat((String) s).startsWith("smtp from 127.0.0.1"));
        assertThat(ledger.query("SELECT submitter FROM ledger_message WHERE sender = 'jms-sender@example.com'"))
                .extracting(m -> m.get("submitter")).containsExactly("jms user submitter");
        assertThat(ledger.query("SELECT submitter FROM ledger_message WHERE sender = 'file-sender@example.com'"))
                .extracting(m -> m.get("submitter")).containsExactly("file order-5.json");
    }

    @Test
    void messagesMadeFromAMergeRequestSayMerge() {
        GatewayConfig config = TestGateway.on(data);
        gateway = config.start();
        LedgerRows ledger = LedgerRows.of(config);
        String merge = """
                {"from":"news@example.com","subject":"Hello {{name}}","text":"Dear {{name}}",
                 "recipients":[{"to":"ann@example.com","variables":{"name":"Ann"}},
                               {"to":"bob@example.com","variables":{"name":"Bob"}}]}""";
        dev.mailroute.support.Http.Answer answer = dev.mailroute.support.Http.post(
                gateway.http("/api/v1/messages/merge"), "application/json", merge);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);

        List<Map<String, Object>> rows = ledger.await(r -> r.size() == 2,
                "SELECT m.ingress, m.subject, r.address FROM ledger_message m JOIN ledger_recipient r"
                + " ON r.mail_id = m.id WHERE m.sender = 'news@example.com' ORDER BY r.address");
        assertThat(rows).extracting(r -> r.get("ingress")).containsOnly("merge");
        assertThat(rows).extracting(r -> r.get("subject")).containsExactly("Hello Ann", "Hello Bob");
    }

    @Test
    void deferralsAreKeptAttemptByAttemptAndARefusalKeepsTheRelaysText() {
        relay = ScriptedSmtpServer.start()
                .replyTo("busy@example.com", "451 4.3.0 mailbox busy, try later")
                .replyTo("gone@example.com", "550 5.1.1 <gone@example.com>: no such user");
        GatewayConfig config = TestGateway.on(data).smtp(relay.port())
                .with("mailroute.retry.initialDelay", "300")
                .with("mailroute.retry.multiplier", "1")
                .with("mailroute.retry.maxAge", "3s");
        gateway = config.start();
        LedgerRows ledger = LedgerRows.of(config);
        ObjectNode request = MailRequests.minimal();
        request.putArray("to").add("busy@example.com").add("gone@example.com").add("fine@example.com");
        String id = gateway.submit(request);

        assertThat(ledger.awaitState(id, "fine@example.com", "delivered").get("reply_code")).isNotNull();
        Map<String, Object> gone = ledger.awaitState(id, "gone@example.com", "bounced");
        assertThat(gone.get("reply_text")).isEqualTo("550 5.1.1 <gone@example.com>: no such user");
        assertThat(gone.get("reply_status")).isEqualTo("5.1.1");

        // deferred while it is retried, each attempt with its reason ...
        ledger.await(rows -> rows.size() >= 2, "SELECT * FROM ledger_attempt WHERE mail_id = ? AND address = ?",
                id, "busy@example.com");
        // ... and expired once mailroute.retry.maxAge has passed
        Map<String, Object> busy = ledger.awaitState(id, "busy@example.com", "expired");
        List<Map<String, Object>> attempts = ledger.query(
                "SELECT * FROM ledger_attempt WHERE mail_id = ? AND address = ? ORDER BY attempt", id, "busy@example.com");
        assertThat(attempts).hasSizeGreaterThanOrEqualTo(2);
        assertThat(attempts.subList(0, attempts.size() - 1)).allSatisfy(a -> {
            assertThat(a.get("outcome")).isEqualTo("deferred");
            assertThat(a.get("reply_text")).isEqualTo("451 4.3.0 mailbox busy, try later");
        });
        assertThat(attempts).extracting(a -> ((Number) a.get("attempt")).intValue())
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, attempts.size()).boxed().toList());
        assertThat(((Number) busy.get("attempts")).intValue()).isEqualTo(attempts.size());
    }

    @Test
    void aPickupDeliveryNamesTheFileWrittenAndSubjectsCanBeLeftOut() {
        GatewayConfig config = TestGateway.on(data).with("mailroute.ledger.subjects", "false");
        gateway = config.start();
        LedgerRows ledger = LedgerRows.of(config);
        String id = gateway.submit(MailRequests.minimal());

        Map<String, Object> recipient = ledger.awaitState(id, "ops@example.com", "delivered");
        assertThat(recipient.get("reply_text")).isEqualTo("written as " + id + ".eml");
        assertThat(ledger.attempts(id).get(0)).containsEntry("transport", "pickup");
        Map<String, Object> message = ledger.message(id);
        assertThat(message.get("subject")).isNull();
        assertThat(message.get("ingress")).isEqualTo("http");
        assertThat(((Number) message.get("size_bytes")).longValue()).isPositive();
    }

    @Test
    void storiesOlderThanTheRetentionArePruned() {
        GatewayConfig config = TestGateway.on(data).with("mailroute.ledger.retention", "3s")
                .with("mailroute.retry.maxAge", "3s");
        gateway = config.start();
        LedgerRows ledger = LedgerRows.of(config);
        double prunedBefore = gateway.metric("mailroute_ledger_pruned_total");
        String id = gateway.submit(MailRequests.minimal());
        ledger.awaitState(id, "ops@example.com", "delivered");
        assertThat(ledger.message(id)).isNotNull();

        ledger.await(List::isEmpty, "SELECT id FROM ledger_message WHERE id = ?", id);
        ledger.await(List::isEmpty, "SELECT mail_id FROM ledger_recipient WHERE mail_id = ?", id);
        ledger.await(List::isEmpty, "SELECT mail_id FROM ledger_attempt WHERE mail_id = ?", id);
        assertThat(gateway.metric("mailroute_ledger_pruned_total") - prunedBefore).isGreaterThanOrEqualTo(3);
    }
}
