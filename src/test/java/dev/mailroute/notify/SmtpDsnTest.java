package dev.mailroute.notify;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestGateway;
import dev.mailroute.support.Tools;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.eclipse.angus.mail.dsn.MultipartReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The SMTP listener's DSN parameters (RFC 3461), sent by Python's smtplib, honoured end to end:
 * NOTIFY, ORCPT, RET and ENVID given back in the report the sender gets, NOTIFY=SUCCESS answered
 * with a "relayed" report when the relay offers no DSN, NOTIFY=NEVER answered with none, and NOTIFY
 * and ENVID passed on to a relay that announces DSN (which then reports success itself).
 */
class SmtpDsnTest {

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
    void theSendersDsnParametersComeBackInItsReportsAndNeverMeansNone() throws Exception {
        relay = ScriptedSmtpServer.start();
        relay.replyTo("gone@example.com", "550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown");
        gateway = start();

        String output = smtplib(
                "print('EHLO', s.ehlo()[1].decode())",
                // one transaction: a refused and a delivered recipient, both asking for success and failure
                "print('MAIL', s.mail('payroll@example.com', ['RET=HDRS', 'ENVID=run+2B42']))",
                "print('RCPT', s.rcpt('gone@example.com', ['NOTIFY=SUCCESS,FAILURE', 'ORCPT=rfc822;Jane+2EDoe@example.com']))",
                "print('RCPT', s.rcpt('here@example.com', ['NOTIFY=SUCCESS,FAILURE']))",
                "print('OTHER', s.rcpt('other@example.com', ['NOTIFY=NEVER']))",
                "print('DATA', s.data(b'Subject: payslips\\r\\n\\r\\nbody\\r\\n'))",
                // another: NOTIFY=NEVER to a refused recipient
                "print('MAIL', s.mail('payroll@example.com'))",
                "print('RCPT', s.rcpt('gone@example.com', ['NOTIFY=NEVER']))",
                "print('DATA', s.data(b'Subject: never tell\\r\\n\\r\\nbody\\r\\n'))");
        assertThat(output).contains("DSN")
                .contains("OTHER (452, b'4.5.3 Recipients with another NOTIFY than the first go in another transaction')");

        await().atMost(Duration.ofSeconds(30)).until(() -> reports().size() == 1
                && skipped("notify") >= 1);
        MimeMessage report = parse(reports().get(0));
        assertThat(report.getSubject()).isEqualTo("Undelivered Mail Returned to Sender");
        MultipartReport parts = (MultipartReport) report.getContent();
        assertThat(parts.getText()).contains("<gone@example.com>: 550 5.1.1")
                .contains("handed to the next mail system").contains("<here@example.com>: 250");
        DeliveryStatus status = parts.getDeliveryStatus();
        assertThat(status.getMessageDSN().getHeader("Original-Envelope-Id", null)).isEqualTo("run+42");
        assertThat(status.getRecipientDSNCount()).isEqualTo(2);
        InternetHeaders gone = status.getRecipientDSN(0);
        assertThat(gone.getHeader("Action", null)).isEqualTo("failed");
        assertThat(gone.getHeader("Original-Recipient", null)).isEqualTo("rfc822; Jane.Doe@example.com");
        assertThat(gone.getHeader("Final-Recipient", null)).isEqualTo("rfc822; gone@example.com");
        InternetHeaders here = status.getRecipientDSN(1);
        assertThat(here.getHeader("Action", null)).isEqualTo("relayed");
        assertThat(here.getHeader("Status", null)).isEqualTo("2.0.0");
        assertThat(here.getHeader("Original-Recipient", null)).isEqualTo("rfc822; here@example.com");
        // RET=HDRS: the headers only
        assertThat(reports().get(0).data()).contains("text/rfc822-headers").contains("Subject: payslips");
        assertThat(relay.deliveriesTo("here@example.com")).isEqualTo(1);
        assertThat(reports()).noneMatch(t -> t.data().contains("never tell"));
    }

    @Test
    void successAloneIsAnsweredRelayedByMailrouteOnlyWhenTheRelayCannotTell() throws Exception {
        relay = ScriptedSmtpServer.start();
        gateway = start();
        smtplib("print('MAIL', s.mail('payroll@example.com', ['ENVID=batch-7']))",
                "print('RCPT', s.rcpt('here@example.com', ['NOTIFY=SUCCESS']))",
                "print('DATA', s.data(b'Subject: tell me\\r\\n\\r\\nbody\\r\\n'))");

        await().atMost(Duration.ofSeconds(30)).until(() -> reports().size() == 1);
        MimeMessage report = parse(reports().get(0));
        assertThat(report.getSubject()).isEqualTo("Successful Mail Delivery Report");
        DeliveryStatus status = ((MultipartReport) report.getContent()).getDeliveryStatus();
        assertThat(status.getRecipientDSN(0).getHeader("Action", null)).isEqualTo("relayed");
        assertThat(status.getMessageDSN().getHeader("Original-Envelope-Id", null)).isEqualTo("batch-7");
        assertThat(relay.envelopeCommands()).noneMatch(line -> line.contains("NOTIFY=") || line.contains("ENVID="));
    }

    @Test
    void aRelayThatAnnouncesDsnGetsNotifyAndEnvidAndMailrouteSendsNoRelayedReport() throws Exception {
        relay = ScriptedSmtpServer.start().advertiseDsn();
        gateway = start();
        smtplib("print('MAIL', s.mail('payroll@example.com', ['ENVID=batch+2B8', 'RET=FULL']))",
                "print('RCPT', s.rcpt('here@example.com', ['NOTIFY=SUCCESS']))",
                "print('DATA', s.data(b'Subject: the relay tells\\r\\n\\r\\nbody\\r\\n'))");

        await().atMost(Duration.ofSeconds(30)).until(() -> relay.deliveriesTo("here@example.com") == 1);
        gateway.awaitQueueEmpty();
        assertThat(relay.envelopeCommands()).anyMatch(line -> line.startsWith("MAIL FROM:<payroll@example.com>")
                                                              && line.contains("ENVID=batch+2B8") && line.contains("RET=FULL"))
                .anyMatch(line -> line.startsWith("RCPT TO:<here@example.com>") && line.contains("NOTIFY=SUCCESS"));
        assertThat(reports()).isEmpty();
    }

    private TestGateway start() {
        return TestGateway.on(data).smtp(relay.port())
                .with("mailroute.bounce.enabled", "true")
                .with("mailroute.observe.requireKey", "false")
                .with("mailroute.bounce.reportingMta", "gateway.example.com")
                .start();
    }

    /** Runs these lines of Python with {@code s}, an smtplib session to the listener; its output. */
    private String smtplib(String... lines) {
        String python = Tools.require("python3", "python3");
        String script = "import smtplib\ns = smtplib.SMTP('127.0.0.1', " + gateway.smtpdPort() + ")\ns.ehlo()\n"
                        + String.join("\n", lines) + "\ns.quit()\n";
        Tools.Result result = Tools.run(List.of(python, "-c", script), 60);
        assertThat(result.exit()).as(result.output()).isZero();
        return result.output();
    }

    private List<ScriptedSmtpServer.Transaction> reports() {
        return relay.transactions().stream().filter(t -> t.recipients().contains("payroll@example.com")
                                                         && t.data().contains("multipart/report")).toList();
    }

    private double skipped(String reason) {
        return gateway.metric("mailroute_reports_total\\{.*outcome=\"skipped\",reason=\"" + reason + "\".*}");
    }

    private static MimeMessage parse(ScriptedSmtpServer.Transaction delivery) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(delivery.data().getBytes(StandardCharsets.US_ASCII)));
    }
}
