package dev.mailroute.delivery;

import java.nio.file.Path;

import dev.mailroute.support.Http;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestGateway;
import org.apache.camel.support.service.ServiceHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * mailroute.smtp.security and mailroute.smtp.tls.trust through the whole gateway, against a relay
 * that offers STARTTLS with a self-signed certificate (or does not offer it at all).
 */
class SmtpTlsDeliveryTest {

    @TempDir
    Path data;

    @Test
    void starttlsRequiredDeliversOverTlsWhenTheCertificateIsTrusted() {
        try (ScriptedSmtpServer relay = ScriptedSmtpServer.start().offerStartTls();
             TestGateway gateway = TestGateway.on(data).smtp(relay.port())
                     .with("mailroute.smtp.security", "starttls-required").with("mailroute.smtp.tls.trust", "*")
                     .start()) {
            gateway.submit(MailRequests.minimal());
            await().until(() -> relay.transactions().size() == 1);
            assertThat(relay.transactions().get(0).tls()).as("sent after STARTTLS").isTrue();
        }
    }

    @Test
    void aSelfSignedCertificateIsRefusedByDefaultAndNothingIsSentInPlainText() {
        try (ScriptedSmtpServer relay = ScriptedSmtpServer.start().offerStartTls();
             TestGateway gateway = TestGateway.on(data).smtp(relay.port())
                     .with("mailroute.smtp.security", "starttls-required").with("mailroute.circuit.failures", "100")
                     .start()) {
            gateway.submit(MailRequests.minimal());
            // the handshake fails: a transient failure, retried, never a delivery without TLS
            await().until(() -> gateway.broker().scheduledCount("mail.outbound") == 1);
            assertThat(relay.transactions()).isEmpty();
            assertThat(gateway.files("failed")).isEmpty();
        }
    }

    @Test
    void opportunisticStarttlsSendsInPlainTextToARelayWithoutIt() {
        try (ScriptedSmtpServer relay = ScriptedSmtpServer.start();
             TestGateway gateway = TestGateway.on(data).smtp(relay.port())
                     .with("mailroute.smtp.security", "starttls").start()) {
            gateway.submit(MailRequests.minimal());
            await().until(() -> relay.transactions().size() == 1);
            assertThat(relay.transactions().get(0).tls()).isFalse();
        }
    }

    @Test
    void starttlsRequiredHoldsTheMailWhenTheRelayDoesNotOfferIt() {
        try (ScriptedSmtpServer relay = ScriptedSmtpServer.start();
             TestGateway gateway = TestGateway.on(data).smtp(relay.port())
                     .with("mailroute.smtp.security", "starttls-required").start()) {
            gateway.submit(MailRequests.minimal());
            await().until(() -> ServiceHelper.isSuspended(gateway.context().getRoute("deliver").getConsumer()));
            assertThat(Http.get(gateway.http("/observe/health")).body()).contains("refuses mailroute");
            assertThat(gateway.broker().messageCount("mail.outbound")).as("held on the queue").isEqualTo(1);
            assertThat(relay.transactions()).isEmpty();
        }
    }
}
