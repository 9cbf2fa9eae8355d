package dev.mailroute.notify;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.support.GatewayConfig;
import dev.mailroute.support.Http;
import dev.mailroute.support.LedgerRows;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestGateway;
import dev.mailroute.support.Tools;
import jakarta.mail.BodyPart;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.eclipse.angus.mail.dsn.MultipartReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Delivery status reports against the real gateway and a real relay that refuses one recipient:
 * the report the sender gets, parsed back with Angus Mail's DSN module, and every case in which
 * none is sent — each seen through the gateway's own count of the reports it skipped, and why.
 */
class DeliveryReportTest {

    private static final String SUBMIT = "Bearer submit-key-0123456789";
    private static final String COPY = "postmaster@example.com";

    private static ScriptedSmtpServer relay;
    private static GatewayConfig config;
    private static TestGateway gateway;
    private static LedgerRows ledger;

    @BeforeAll
    static void start() throws Exception {
        Path data = Scratch.folder("mailroute-reports");
        relay = ScriptedSmtpServer.start();
        relay.replyTo("gone@example.com", "550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown");
        config = TestGateway.on(data).smtp(relay.port())
                .with("mailroute.bounce.enabled", "true")
                .with("mailroute.api.keys", "app:submit-key-0123456789")
                .with("mailroute.admin.keys", "ops:admin-key-0123456789")
                .with("mailroute.bounce.copyTo", COPY)
                .with("mailroute.bounce.domains", "example.com")
                .with("mailroute.bounce.reportingMta", "gateway.example.com");
        gateway = config.start();
        ledger = LedgerRows.of(config);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        relay.close();
    }

    @Test
    void theSenderGetsOneReportNamingTheRefusedRecipientWithTheRelaysWords() throws Exception {
        ObjectNode request = MailRequests.from("payroll@example.com", "gone@example.com", "here@example.com");
        request.put("subject", "Payslip December");
        String id = gateway.submit(request, "Authorization", SUBMIT);

        await().atMost(Duration.ofSeconds(30)).until(() -> reportsTo("payroll@example.com").size() == 1);
        ScriptedSmtpServer.Transaction delivery = reportsTo("payroll@example.com").get(0);
        assertThat(delivery.from()).as("the null sender").isEmpty();
        assertThat(delivery.recipients()).containsExactly("payroll@example.com", COPY);
        assertThat(relay.deliveriesTo("here@example.com")).as("the accepted recipient, once").isEqualTo(1);

        MimeMessage report = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(delivery.data().getBytes(StandardCharsets.US_ASCII)));
        assertThat(report.getContentType()).startsWith("multipart/report").contains("report-type=delivery-status");
        assertThat(report.getHeader("Auto-Submitted", null)).isEqualTo("auto-replied");
        assertThat(report.getHeader("To", null)).isEqualTo("payroll@example.com");
        assertThat(report.getFrom()[0].toString()).contains("MAILER-DAEMON@gateway.example.com");
        MultipartReport parts = (MultipartReport) report.getContent();

        assertThat(parts.getText()).contains("<gone@example.com>: 550 5.1.1 <gone@example.com>: Recipient address"
                                             + " rejected: User unknown").doesNotContain("here@example.com");

        DeliveryStatus status = parts.getDeliveryStatus();
        assertThat(status.getMessageDSN().getHeader("Reporting-MTA", null)).isEqualTo("dns; gateway.example.com");
        assertThat(status.getMessageDSN().getHeader("Arrival-Date", null)).isNotBlank();
        assertThat(status.getRecipientDSNCount()).isEqualTo(1);
        InternetHeaders gone = status.getRecipientDSN(0);
        assertThat(gone.getHeader("Original-Recipient", null)).isEqualTo("rfc822; gone@example.com");
        assertThat(gone.getHeader("Final-Recipient", null)).isEqualTo("rfc822; gone@example.com");
        assertThat(gone.getHeader("Action", null)).isEqualTo("failed");
        assertThat(gone.getHeader("Status", null)).isEqualTo("5.1.1");
        assertThat(gone.getHeader("Remote-MTA", null)).isEqualTo("dns; 127.0.0.1");
        assertThat(gone.getHeader("Diagnostic-Code", null))
                .isEqualTo("smtp; 550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown");
        assertThat(gone.getHeader("Last-Attempt-Date", null)).isNotBlank();

        // RET not asked for: the original's headers, not its body
        BodyPart returned = parts.getBodyPart(2);
        assertThat(returned.getContentType()).startsWith("text/rfc822-headers");
        String headers = new String(returned.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(report.getMessageID()).endsWith("@gateway.example.com>");
        ledger.awaitState(id, "gone@example.com", "bounced");
        String messageId = (String) ledger.message(id).get("message_id");
        assertThat(headers).as("the original's own Message-ID, not one made when the report was saved")
                .contains("Message-ID: " + messageId + "\r\n");
        assertThat(headers).contains("\r\nSubject: Payslip December\r\nMIME-Version: 1.0\r\n").doesNotContain(MailRequests.minimal().get("text").asText());

        // in the ledger: the report, from the null sender, to the sender and the copy, naming its message
        var rows = ledger.await(found -> !found.isEmpty(),
                "SELECT id, sender FROM ledger_message WHERE ingress = 'report' AND report_of = ?", id);
        assertThat(rows.get(0).get("sender")).isEqualTo("");
        String reportId = (String) rows.get(0).get("id");
        ledger.awaitState(reportId, "payroll@example.com", "delivered");
        Http.Answer story = Http.get(gateway.http("/api/v1/messages/" + reportId), "Authorization",
                "Bearer admin-key-0123456789");
        assertThat(story.status()).as(story.body()).isEqualTo(200);
        assertThat(story.json().get("reportOf").asText()).isEqualTo(id);
        assertThat(story.json().get("ingress").asText()).isEqualTo("report");
        Http.Answer reports = Http.get(gateway.http("/api/v1/admin/queue/messages?ingress=report"), "Authorization",
                "Bearer admin-key-0123456789");
        assertThat(reports.json().get("messages")).extracting(m -> m.get("id").asText()).contains(reportId);
    }

    @Test
    void aReportThatCannotBeDeliveredIsNeverReportedOn() {
        relay.replyTo("refuses-reports@example.com", "550 5.7.1 no reports here");
        double before = skipped("null-sender");
        double reports = queued();
        gateway.submit(MailRequests.from("refuses-reports@example.com", "gone@example.com"), "Authorization", SUBMIT);
        // the report to the sender is refused in turn, and parked like any message: no report of it
        await().atMost(Duration.ofSeconds(30)).until(() -> skipped("null-sender") == before + 1);
        assertThat(queued()).as("the report of the message, and none of the report").isEqualTo(reports + 1);
    }

    /** RFC 5321 4.5.5: another system's report comes with MAIL FROM:<>; it is relayed so, and never reported on. */
    @Test
    void aMessageFromTheNullSenderIsRelayedWithItAndNeverReportedOn() {
        String python = Tools.require("python3", "python3");
        String script = String.join("\n",
                "import smtplib",
                "s = smtplib.SMTP('127.0.0.1', " + gateway.smtpdPort() + ")",
                "msg = 'From: MAILER-DAEMON@erp.example.com\\r\\nTo: here@example.com\\r\\n"
                + "Subject: Undeliverable: order 7\\r\\nAuto-Submitted: auto-replied\\r\\n\\r\\nreport\\r\\n'",
                "refused = s.sendmail('<>', ['here@example.com', 'gone@example.com'], msg)",
                "print('SENT', refused)",
                "s.quit()");
        double before = skipped("null-sender");
        double reports = queued();
        Tools.Result result = Tools.run(List.of(python, "-c", script), 60);
        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("SENT {}");

        await().atMost(Duration.ofSeconds(30)).until(() -> skipped("null-sender") == before + 1);
        ScriptedSmtpServer.Transaction relayed = relay.transactions().stream()
                .filter(t -> t.data().contains("Undeliverable: order 7")).findFirst().orElseThrow();
        assertThat(relayed.from()).as("MAIL FROM:<>").isEmpty();
        assertThat(relayed.recipients()).containsExactly("here@example.com");
        assertThat(queued()).as("no report queued").isEqualTo(reports);
    }

    @Test
    void noReportWhenTheSenderAskedForNoneOrTheMessageIsAutomaticOrTheDomainIsNotListed() throws Exception {
        ObjectNode never = MailRequests.from("never@example.com", "gone@example.com");
        never.putArray("notify").add("never");
        assertSkipped(never, "notify");

        ObjectNode delayOnly = MailRequests.from("delay-only@example.com", "gone@example.com");
        delayOnly.putArray("notify").add("delay");
        assertSkipped(delayOnly, "notify");

        ObjectNode automatic = MailRequests.from("robot@example.com", "gone@example.com");
        automatic.putObject("headers").put("Auto-Submitted", "auto-generated (monitoring)");
        assertSkipped(automatic, "auto-submitted");

        assertSkipped(MailRequests.from("someone@example.org", "gone@example.com"), "domain");
        // a subdomain of a listed domain is listed; RET=FULL brings the whole original back
        ObjectNode full = MailRequests.from("app@eu.example.com", "gone@example.com");
        full.put("returnContent", "full");
        String fullId = gateway.submit(full, "Authorization", SUBMIT);
        await().atMost(Duration.ofSeconds(30)).until(() -> reportsTo("app@eu.example.com").size() == 1);
        MimeMessage report = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(
                reportsTo("app@eu.example.com").get(0).data().getBytes(StandardCharsets.US_ASCII)));
        MimeMessage original = ((MultipartReport) report.getContent()).getReturnedMessage();
        assertThat(original.getContent().toString()).isEqualTo(MailRequests.minimal().get("text").asText());
        ledger.awaitState(fullId, "gone@example.com", "bounced");
        assertThat(original.getMessageID()).isEqualTo(ledger.message(fullId).get("message_id"));
    }

    private static void assertSkipped(ObjectNode request, String reason) {
        String sender = request.get("from").asText();
        double before = skipped(reason);
        gateway.submit(request, "Authorization", SUBMIT);
        await().atMost(Duration.ofSeconds(30)).until(() -> skipped(reason) == before + 1);
        assertThat(reportsTo(sender)).as("no report to " + sender).isEmpty();
    }

    private static double queued() {
        return Math.max(0, gateway.metric("mailroute_reports_total\\{kind=\"failure\",outcome=\"queued\".*}"));
    }

    private static double skipped(String reason) {
        return Math.max(0, gateway.metric("mailroute_reports_total\\{.*outcome=\"skipped\",reason=\"" + reason + "\".*}"));
    }

    private static List<ScriptedSmtpServer.Transaction> reportsTo(String sender) {
        return relay.transactions().stream()
                .filter(t -> t.recipients().contains(sender) && t.data().contains("multipart/report")).toList();
    }
}
