package dev.mailroute.delivery;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import dev.mailroute.delivery.smtp.CircuitSettings;
import dev.mailroute.delivery.smtp.PoolSettings;
import dev.mailroute.delivery.smtp.SmtpSettings;
import dev.mailroute.settings.SettingsReader;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** mailroute.relays and mailroute.relays.<name>.*: each named relay read from its own keys, refused by key. */
class RelaysTest {

    private final Map<String, String> keys = new HashMap<>(Map.of(
            "mailroute.smtp.host", "smtp.office365.com", "mailroute.smtp.port", "587",
            "mailroute.smtp.username", "notifications@example.com",
            "mailroute.smtp.security", "starttls-required", "mailroute.smtp.timeout", "30s",
            "mailroute.throttle.rate", "30", "mailroute.throttle.period", "60s",
            "mailroute.smtp.oauth2.authority", "https://login.microsoftonline.com/",
            "mailroute.smtp.oauth2.timeout", "10s"));

    private Relays relays() {
        SettingsReader r = new SettingsReader(key -> Optional.ofNullable(keys.get(key)));
        RelaySettings gatewayDefault = RelaySettings.gatewayDefault(r, Transport.SMTP, SmtpSettings.from(r), null,
                new PoolSettings(4, 100, 30_000), new CircuitSettings(5, 30_000, false), Path.of("pickup"));
        return Relays.from(r, gatewayDefault);
    }

    @Test
    void aNamedRelayTakesItsOwnKeysAndTheTablesDefaultsNotTheDefaultRelays() {
        keys.putAll(Map.of("mailroute.relays", "internal, testdrop",
                "mailroute.relays.internal.host", "exchange.corp.example.com",
                "mailroute.relays.testdrop.transport", "pickup",
                "mailroute.relays.testdrop.pickup.dir", "drop"));
        Relays relays = relays();
        assertThat(relays.names()).containsExactly("default", "internal", "testdrop");
        RelaySettings internal = relays.get("internal");
        assertThat(internal.smtp().host()).isEqualTo("exchange.corp.example.com");
        assertThat(internal.smtp().port()).isEqualTo(25);
        assertThat(internal.smtp().security()).isEqualTo(SmtpSettings.Security.NONE);
        assertThat(internal.smtp().auth()).isEqualTo(SmtpSettings.Auth.NONE);
        assertThat(internal.throttleRate()).isEqualTo(100_000);
        assertThat(internal.pool().connections()).isEqualTo(4);
        assertThat(internal.bean("smtpMailSender")).isEqualTo("smtpMailSender-internal");
        assertThat(relays.defaultRelay().throttleRate()).isEqualTo(30);
        assertThat(relays.defaultRelay().bean("smtpMailSender")).isEqualTo("smtpMailSender");
        RelaySettings testdrop = relays.get("testdrop");
        assertThat(testdrop.transport()).isEqualTo(Transport.PICKUP);
        assertThat(testdrop.smtp()).isNull();
        assertThat(testdrop.pickupDir()).isEqualTo(Path.of("drop").toAbsolutePath());
        assertThat(relays.pickupDirs()).containsExactly(Path.of("drop").toAbsolutePath());
    }

    @Test
    void aRelayLoggingInWithOAuthUsesTheGatewaysTokensForItsOwnMailbox() {
        keys.putAll(Map.of("mailroute.smtp.oauth2.provider", "microsoft", "mailroute.smtp.oauth2.tenant", "t-1",
                "mailroute.smtp.oauth2.clientId", "c-1",
                "mailroute.relays", "billing", "mailroute.relays.billing.host", "smtp.office365.com",
                "mailroute.relays.billing.port", "587", "mailroute.relays.billing.security", "starttls-required",
                "mailroute.relays.billing.auth", "oauth2", "mailroute.relays.billing.username", "billing@example.com"));
        keys.put("mailroute.smtp.oauth2.clientSecret", "client-secret-value");
        RelaySettings billing = relays().get("billing");
        assertThat(billing.oauth2().mailbox()).isEqualTo("billing@example.com");
        assertThat(billing.oauth2().clientId()).isEqualTo("c-1");
    }

    @Test
    void aRelayWithAProviderOfItsOwnReadsItsOwnTokenKeys() {
        keys.putAll(Map.of("mailroute.relays", "gmail", "mailroute.relays.gmail.host", "smtp.gmail.com",
                "mailroute.relays.gmail.port", "587", "mailroute.relays.gmail.security", "starttls-required",
                "mailroute.relays.gmail.auth", "oauth2", "mailroute.relays.gmail.username", "alerts@example.org",
                "mailroute.relays.gmail.oauth2.provider", "google"));
        assertThatThrownBy(this::relays).hasMessage("mailroute.relays.gmail.oauth2.serviceAccountKey is not set:"
                                                    + " mailroute.relays.gmail.oauth2.provider=google needs the"
                                                    + " service account's JSON key file");
        keys.put("mailroute.relays.gmail.oauth2.serviceAccountKey", "/etc/mailroute/google.json");
        RelaySettings gmail = relays().get("gmail");
        assertThat(gmail.oauth2().mailbox()).isEqualTo("alerts@example.org");
        assertThat(gmail.oauth2().scope()).isEqualTo("https://mail.google.com/");
        assertThat(gmail.oauth2().serviceAccountKey()).isEqualTo(Path.of("/etc/mailroute/google.json"));
        keys.put("mailroute.relays.gmail.oauth2.provider", "generic");
        keys.put("mailroute.relays.gmail.oauth2.tokenUrl", "http://idp.example.com/token");
        keys.put("mailroute.relays.gmail.oauth2.clientId", "c-2");
        keys.put("mailroute.relays.gmail.oauth2.scope", "smtp");
        assertThatThrownBy(this::relays).hasMessage("mailroute.relays.gmail.oauth2.provider=generic needs"
                                                    + " MAILROUTE_RELAYS_GMAIL_OAUTH2_CLIENTSECRET (the client secret)");
    }

    @Test
    void everyMistakeIsRefusedNamingItsKey() {
        keys.put("mailroute.relays", "bulk");
        assertThatThrownBy(this::relays).hasMessageStartingWith("mailroute.relays.bulk.host is not set")
                .hasMessageContaining("MAILROUTE_RELAYS_BULK_HOST");
        keys.put("mailroute.relays.bulk.host", "smtp.bulk.example");
        keys.put("mailroute.relays.bulk.auth", "password");
        assertThatThrownBy(this::relays).hasMessage("mailroute.relays.bulk.auth=password needs"
                                                    + " mailroute.relays.bulk.username (and MAILROUTE_RELAYS_BULK_PASSWORD)");
        keys.remove("mailroute.relays.bulk.auth");
        keys.put("mailroute.relays.bulk.security", "ssl");
        assertThatThrownBy(this::relays).hasMessageStartingWith("mailroute.relays.bulk.security=ssl is not");
        keys.remove("mailroute.relays.bulk.security");
        keys.put("mailroute.relays.bulk.transport", "fax");
        assertThatThrownBy(this::relays).hasMessage("mailroute.relays.bulk.transport=fax is not pickup or smtp");
        keys.remove("mailroute.relays.bulk.transport");
        keys.put("mailroute.relays", "bulk, default");
        assertThatThrownBy(this::relays).hasMessageStartingWith("mailroute.relays: default is not a name for a relay");
        // a relay's route is deliver-<name>: never the id of a route of routes/ (deliver-split, deliver-attempt)
        keys.put("mailroute.relays", "split");
        assertThatThrownBy(this::relays).hasMessageStartingWith("mailroute.relays: split is not a name for a relay")
                .hasMessageContaining("not attempt or default or relay or split");
        keys.put("mailroute.relays", "bulk, Bulk-2");
        assertThatThrownBy(this::relays).hasMessageStartingWith("mailroute.relays: Bulk-2 is not a name for a relay");
        keys.put("mailroute.relays", "bulk, bulk");
        assertThatThrownBy(this::relays).hasMessage("mailroute.relays names bulk twice");
    }
}
