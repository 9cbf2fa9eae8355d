package dev.mailroute.notify;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import dev.mailroute.support.GatewayConfig;
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
import static org.awaitility.Awaitility.await;

/**
 * The delay notice (IIS's "Delay notification"), with the wait shortened to two seconds: a message
 * the relay keeps deferring gets one notice, however many attempts follow, and is delivered when
 * the relay takes it.
 */
class DelayNoticeTest {

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
    void aMessageDeferredPastTheDelayWarningGetsOneNoticeThenIsDelivered() throws Exception {
        relay = ScriptedSmtpServer.start();
        relay.replyTo("slow@example.com", "451 4.2.2 <slow@example.com>: mailbox busy");
        GatewayConfig config = TestGateway.on(data).smtp(relay.port())
                .with("mailroute.bounce.enabled", "true")
                .with("mailroute.api.keys", "app:submit-key-0123456789")
                .with("mailroute.retry.initialDelay", "1s")
                .with("mailroute.retry.multiplier", "1")
                .with("mailroute.bounce.delayWarning", "2s")
                .with("mailroute.bounce.reportingMta", "gateway.example.com");
        gateway = config.start();
        LedgerRows ledger = LedgerRows.of(config);
        String id = gateway.submit(MailRequests.from("waiting@example.com", "slow@example.com"), "Authorization",
                "Bearer submit-key-0123456789");

        await().atMost(Duration.ofSeconds(30)).until(() -> notices().size() == 1);
        MimeMessage notice = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(notices().get(0).data().getBytes(StandardCharsets.US_ASCII)));
        assertThat(notice.getSubject()).isEqualTo("Delayed Mail (still being retried)");
        MultipartReport parts = (MultipartReport) notice.getContent();
        assertThat(parts.getText()).contains("only a notice").contains("<slow@example.com>: last answer: 451 4.2.2");
        DeliveryStatus status = parts.getDeliveryStatus();
        assertThat(status.getRecipientDSNCount()).isEqualTo(1);
        InternetHeaders slow = status.getRecipientDSN(0);
        assertThat(slow.getHeader("Action", null)).isEqualTo("delayed");
        assertThat(slow.getHeader("Status", null)).isEqualTo("4.2.2");
        assertThat(slow.getHeader("Final-Recipient", null)).isEqualTo("rfc822; slow@example.com");
        assertThat(slow.getHeader("Will-Retry-Until", null)).isNotBlank();

        // three attempts more, and still the one notice: each would have been counted when its attempt ended
        int attempts = ledger.attempts(id).size();
        await().atMost(Duration.ofSeconds(30)).until(() -> ledger.attempts(id).size() >= attempts + 3);
        assertThat(gateway.metric("mailroute_reports_total\\{kind=\"delay\",outcome=\"queued\".*}")).isEqualTo(1.0);
        assertThat(notices()).hasSize(1);

        relay.replyTo("slow@example.com", null);
        ledger.awaitState(id, "slow@example.com", "delivered");
        assertThat(relay.deliveriesTo("slow@example.com")).isEqualTo(1);
        assertThat(notices()).hasSize(1);
    }

    private List<ScriptedSmtpServer.Transaction> notices() {
        return relay.transactions().stream()
                .filter(t -> t.recipients().contains("waiting@example.com") && t.data().contains("multipart/report"))
                .toList();
    }
}
