package dev.mailroute.delivery.smtp;

import java.util.Properties;

import dev.mailroute.settings.Secret;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SmtpSettingsTest {

    @Test
    void timeoutCoversConnectReadAndWrite() {
        Properties props = settings(SmtpSettings.Security.NONE).sessionProperties();
        assertThat(props).containsEntry("mail.smtp.connectiontimeout", "7000")
                .containsEntry("mail.smtp.timeout", "7000")
                .containsEntry("mail.smtp.writetimeout", "7000")
                .doesNotContainKey("mail.smtp.starttls.enable");
    }

    @Test
    void securityModesMapToAngusProperties() {
        assertThat(settings(SmtpSettings.Security.STARTTLS).sessionProperties())
                .containsEntry("mail.smtp.starttls.enable", "true").doesNotContainKey("mail.smtp.starttls.required");
        assertThat(settings(SmtpSettings.Security.STARTTLS_REQUIRED).sessionProperties())
                .containsEntry("mail.smtp.starttls.required", "true");
        SmtpSettings tls = settings(SmtpSettings.Security.TLS);
        assertThat(tls.protocol()).isEqualTo("smtps");
        assertThat(tls.sessionProperties()).containsEntry("mail.smtps.writetimeout", "7000")
                .containsEntry("mail.smtps.ssl.checkserveridentity", "true")
                .containsEntry("mail.smtps.ssl.protocols", "TLSv1.3 TLSv1.2");
        assertThat(settings(SmtpSettings.Security.STARTTLS_REQUIRED).sessionProperties())
                .as("nothing older than TLS 1.2").containsEntry("mail.smtp.ssl.protocols", "TLSv1.3 TLSv1.2");
        assertThat(SmtpSettings.Security.parse("starttls-required")).isEqualTo(SmtpSettings.Security.STARTTLS_REQUIRED);
        assertThatThrownBy(() -> SmtpSettings.Security.parse("ssl")).hasMessageContaining("mailroute.smtp.security=ssl");
    }

    @Test
    void neverPrintsThePassword() {
        assertThat(settings(SmtpSettings.Security.NONE).toString()).doesNotContain("s3cret").contains("****");
    }

    private static SmtpSettings settings(SmtpSettings.Security security) {
        return new SmtpSettings("relay.example.com", 25, "user", Secret.of("s3cret"), security, 7000, null,
                SmtpSettings.Auth.PASSWORD);
    }
}
