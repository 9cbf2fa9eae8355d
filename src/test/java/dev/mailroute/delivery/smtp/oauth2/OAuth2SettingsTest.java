package dev.mailroute.delivery.smtp.oauth2;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import dev.mailroute.delivery.smtp.SmtpSettings;
import dev.mailroute.settings.SettingsReader;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** mailroute.smtp.auth and mailroute.smtp.oauth2.*: what each provider needs, refused by key when missing. */
class OAuth2SettingsTest {

    private final Map<String, String> keys = new HashMap<>(Map.of(
            "mailroute.smtp.host", "smtp.office365.com", "mailroute.smtp.port", "587",
            "mailroute.smtp.security", "starttls-required", "mailroute.smtp.timeout", "30s",
            "mailroute.smtp.oauth2.authority", "https://login.microsoftonline.com/",
            "mailroute.smtp.oauth2.timeout", "10s"));

    @Test
    void authIsPasswordWhenAUserNameIsSetAndNoneOtherwise() {
        assertThat(settings().auth()).isEqualTo(SmtpSettings.Auth.NONE);
        keys.put("mailroute.smtp.username", "alerts@example.com");
        assertThat(settings().auth()).isEqualTo(SmtpSettings.Auth.PASSWORD);
        keys.put("mailroute.smtp.auth", "kerberos");
        assertThatThrownBy(this::settings).hasMessage("mailroute.smtp.auth=kerberos is not password or oauth2");
    }

    @Test
    void microsoftNeedsTenantClientAndASecretOrACertificate() {
        keys.putAll(Map.of("mailroute.smtp.auth", "oauth2", "mailroute.smtp.oauth2.provider", "microsoft"));
        assertThatThrownBy(this::settings).hasMessage("mailroute.smtp.username is not set:"
                                                      + " mailroute.smtp.oauth2.provider=microsoft needs the mailbox mail is sent as");
        keys.put("mailroute.smtp.username", "alerts@example.com");
        assertThatThrownBy(this::settings).hasMessageStartingWith("mailroute.smtp.oauth2.tenant is not set");
        keys.put("mailroute.smtp.oauth2.tenant", "contoso.onmicrosoft.com");
        keys.put("mailroute.smtp.oauth2.clientId", "app-id");
        assertThatThrownBy(this::settings).hasMessageContaining("MAILROUTE_SMTP_OAUTH2_CLIENTSECRET, or"
                                                                + " mailroute.smtp.oauth2.certificate and .privateKey");
        keys.put("mailroute.smtp.oauth2.clientSecret", "s3cret");
        SmtpSettings smtp = settings();
        assertThat(smtp.auth()).isEqualTo(SmtpSettings.Auth.OAUTH2);
        assertThat(oauth2.scope()).isEqualTo("https://outlook.office365.com/.default");
        assertThat(oauth2.toString()).doesNotContain("s3cret");
        assertThat(smtp.sessionProperties()).containsEntry("mail.smtp.auth.mechanisms", "XOAUTH2");
    }

    @Test
    void aTokenNeverCrossesTheNetworkInPlainText() {
        keys.putAll(Map.of("mailroute.smtp.auth", "oauth2", "mailroute.smtp.oauth2.provider", "google",
                "mailroute.smtp.username", "alerts@example.com", "mailroute.smtp.security", "starttls"));
        assertThatThrownBy(this::settings).hasMessageStartingWith("mailroute.smtp.auth=oauth2 needs"
                                                                  + " mailroute.smtp.security=starttls-required or tls");
    }

    @Test
    void aTokenEndpointMustBeHttps() {
        keys.putAll(Map.of("mailroute.smtp.auth", "oauth2", "mailroute.smtp.oauth2.provider", "generic",
                "mailroute.smtp.username", "alerts@example.com", "mailroute.smtp.oauth2.clientId", "mailroute",
                "mailroute.smtp.oauth2.clientSecret", "s3cret", "mailroute.smtp.oauth2.scope", "smtp",
                "mailroute.smtp.oauth2.tokenUrl", "http://idp.example.com/token"));
        assertThatThrownBy(this::settings).hasMessage("mailroute.smtp.oauth2.tokenUrl=http://idp.example.com/token"
                                                      + " is not an https:// address: the client secret would cross"
                                                      + " the network in plain text");
    }

    @Test
    void googleNeedsTheServiceAccountKey() {
        keys.putAll(Map.of("mailroute.smtp.auth", "oauth2", "mailroute.smtp.oauth2.provider", "google",
                "mailroute.smtp.username", "alerts@example.com"));
        assertThatThrownBy(this::settings).hasMessage("mailroute.smtp.oauth2.serviceAccountKey is not set:"
                                                      + " mailroute.smtp.oauth2.provider=google needs the service"
                                                      + " account's JSON key file");
        keys.put("mailroute.smtp.oauth2.serviceAccountKey", "/etc/mailroute/google.json");
        settings();
        assertThat(oauth2.scope()).isEqualTo("https://mail.google.com/");
    }

    /** What the last {@link #settings()} read for the token provider: null unless auth=oauth2. */
    private OAuth2Settings oauth2;

    /** As start-up reads them (MailrouteSettings): the relay's settings, then the token provider's. */
    private SmtpSettings settings() {
        SettingsReader r = new SettingsReader(key -> Optional.ofNullable(keys.get(key)));
        SmtpSettings smtp = SmtpSettings.from(r);
        oauth2 = OAuth2Settings.forRelay(r);
        return smtp;
    }
}
