package dev.mailroute.notify;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailroute.queue.QueueOperations;
import dev.mailroute.support.GatewayConfig;
import dev.mailroute.support.Http;
import dev.mailroute.support.LedgerRows;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestGateway;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.eclipse.angus.mail.dsn.MultipartReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code queue delete --notify-sender} (Exchange's {@code Remove-Message -WithNDR}) against the real
 * gateway and relay: a queued and a deferred message deleted, each sender told by a report that
 * reaches the relay once delivery resumes, the messages themselves never delivered, the reports in
 * the ledger linked to what they report on; a sender the rules exclude (the null sender) is not told.
 */
class DeleteNotifySenderTest {

    private static final String SUBMIT = "Bearer submit-key-0123456789";
    private static final String ADMIN = "Bearer admin-key-0123456789";

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
    void deletedMessagesSendersAreToldAndTheMessagesAreNeverDelivered() throws Exception {
        relay = ScriptedSmtpServer.start();
        relay.replyTo("slow@example.com", "451 4.2.2 <slow@example.com>: mailbox busy");
        GatewayConfig config = TestGateway.on(data).smtp(relay.port())
                .with("mailroute.bounce.enabled", "true")
                .with("mailroute.api.keys", "app:submit-key-0123456789")
                .with("mailroute.admin.keys", "ops:admin-key-0123456789")
                .with("mailroute.retry.initialDelay", "1h")
                .with("mailroute.bounce.reportingMta", "gateway.example.com");
        gateway = config.start();
        LedgerRows ledger = LedgerRows.of(config);

        // one deferred (the relay busy), then delivery suspended and one queued
        String deferred = gateway.submit(MailRequests.from("payroll@example.com", "slow@example.com"),
                "Authorization", SUBMIT);
        ledger.awaitState(deferred, "slow@example.com", "deferred");
        admin("/api/v1/admin/delivery/suspend", "");
        String queued = gateway.submit(MailRequests.from("billing@example.com", "a@example.com", "b@example.com"),
                "Authorization", SUBMIT);
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway.broker().messageCount("mail.outbound") == 2);

        // not for another operation, not for ALL
        assertThat(post("/api/v1/admin/queue/hold", "{\"id\":\"" + queued + "\",\"notifySender\":true}").status())
                .isEqualTo(400);
        assertThat(post("/api/v1/admin/queue/delete", "{\"all\":\"ALL\",\"notifySender\":true}").body())
                .contains("notifySender");

        JsonNode answer = admin("/api/v1/admin/queue/delete", "{\"filter\":{\"since\":\"1h\"},\"notifySender\":true}");
        assertThat(answer.get("touched").asLong()).isEqualTo(2);
        assertThat(gateway.broker().messageCount("mail.held")).isZero();

        admin("/api/v1/admin/delivery/resume", "");
        await().atMost(Duration.ofSeconds(30)).until(() -> reportsTo("payroll@example.com").size() == 1
                && reportsTo("billing@example.com").size() == 1);
        MimeMessage report = parse(reportsTo("billing@example.com").get(0));
        assertThat(report.getSubject()).isEqualTo("Undelivered Mail Returned to Sender");
        MultipartReport parts = (MultipartReport) report.getContent();
        assertThat(parts.getText()).contains("<a@example.com>: 5.0.0 deleted by an operator (ops); not delivered");
        DeliveryStatus status = parts.getDeliveryStatus();
        assertThat(status.getRecipientDSNCount()).isEqualTo(2);
        InternetHeaders first = status.getRecipientDSN(0);
        assertThat(first.getHeader("Action", null)).isEqualTo("failed");
        assertThat(first.getHeader("Status", null)).isEqualTo("5.0.0");
        assertThat(parse(reportsTo("payroll@example.com").get(0)).getContent().toString()).isNotEmpty();

        gateway.awaitQueueEmpty();
        assertThat(relay.deliveriesTo("a@example.com")).isZero();
        assertThat(relay.deliveriesTo("slow@example.com")).isZero();
        List<Map<String, Object>> reports = ledger.await(rows -> rows.size() == 2,
                "SELECT report_of FROM ledger_message WHERE ingress = 'report'");
        assertThat(reports).extracting(row -> row.get("report_of")).containsExactlyInAnyOrder(queued, deferred);
    }

    /**
     * A delete with notice cut short — here by a report that cannot be made for the second message —
     * leaves nothing on its own queues: the first message is deleted with its report, the second is
     * back on mail.held where it was; and what a stop left there goes back at the next start.
     */
    @Test
    void whatADeleteWithNoticeDoesNotFinishGoesBackWhereItCameFrom() throws Exception {
        relay = ScriptedSmtpServer.start();
        gateway = TestGateway.on(data).smtp(relay.port())
                .with("mailroute.api.keys", "app:submit-key-0123456789")
                .with("mailroute.admin.keys", "ops:admin-key-0123456789").start();
        admin("/api/v1/admin/delivery/suspend", "");
        String queued = gateway.submit(MailRequests.from("a@example.com", "x@example.com"), "Authorization", SUBMIT);
        String held = gateway.submit(MailRequests.from("b@example.com", "y@example.com"), "Authorization", SUBMIT);
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway.broker().messageCount("mail.outbound") == 2);
        // a consumer stopping as the message arrived may have it in hand a moment (it gives it back):
        // the hold touches it once it is back on the queue
        await().atMost(Duration.ofSeconds(30)).until(() -> admin("/api/v1/admin/queue/hold",
                "{\"id\":\"" + held + "\"}").get("touched").asLong() == 1);

        QueueOperations operations = new QueueOperations(gateway.internal());
        List<String> told = new ArrayList<>();
        QueueOperations.Telling failingOnTheSecond = new QueueOperations.Telling() {
            @Override
            public QueueOperations.Notice notice(String id, byte[] mime, Map<String, Object> contract) {
                if (id.equals(held)) {
                    throw new IllegalStateException("no report can be made");
                }
                return new QueueOperations.Notice("report-" + id, "Subject: r\r\n\r\nr\r\n".getBytes(StandardCharsets.US_ASCII),
                        Map.of("mailrouteId", UUID.randomUUID().toString()));
            }

            @Override
            public void told(String id, QueueOperations.Notice notice) {
                told.add(id);
            }
        };
        assertThatThrownBy(() -> operations.deleteTelling(List.of(queued, held), failingOnTheSecond))
                .hasMessage("no report can be made");
        assertThat(told).containsExactly(queued);
        assertThat(gateway.broker().messageCount("mail.held")).isEqualTo(1);
        assertThat(gateway.broker().messageCount(QueueOperations.DELETING_OUTBOUND)).isZero();
        assertThat(gateway.broker().messageCount(QueueOperations.DELETING_HELD)).isZero();
        // the report took the deleted message's place on mail.outbound
        assertThat(gateway.broker().messageCount("mail.outbound")).isEqualTo(1);

        // a stop in the middle: what waits on the delete's own queues goes back at the start
        admin("/api/v1/admin/queue/release", "{\"id\":\"" + held + "\"}");
        try (var connection = gateway.internal().createConnection()) {
            var session = connection.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE);
            var message = session.createBytesMessage();
            message.writeBytes("Subject: stranded\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
            session.createProducer(session.createQueue(QueueOperations.DELETING_HELD)).send(message);
        }
        assertThat(operations.restoreInterruptedDeletes()).isEqualTo(1);
        assertThat(gateway.broker().messageCount(QueueOperations.DELETING_HELD)).isZero();
        assertThat(gateway.broker().messageCount("mail.held")).isEqualTo(1);
    }

    private JsonNode admin(String path, String body) {
        Http.Answer answer = post(path, body);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }

    private Http.Answer post(String path, String body) {
        return Http.post(gateway.http(path), "application/json", body, "Authorization", ADMIN);
    }

    private List<ScriptedSmtpServer.Transaction> reportsTo(String sender) {
        return relay.transactions().stream()
                .filter(t -> t.recipients().contains(sender) && t.data().contains("multipart/report")).toList();
    }

    private static MimeMessage parse(ScriptedSmtpServer.Transaction delivery) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(delivery.data().getBytes(StandardCharsets.US_ASCII)));
    }
}
