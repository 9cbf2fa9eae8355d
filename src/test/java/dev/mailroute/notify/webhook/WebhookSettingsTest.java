package dev.mailroute.notify.webhook;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import dev.mailroute.settings.SettingsReader;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What an operator can get wrong in mailroute.webhooks.*: each refused with the key and the fix, never the secret. */
class WebhookSettingsTest {

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private final Map<String, String> values = new HashMap<>(Map.of(
            "mailroute.webhooks", "crm",
            "mailroute.webhooks.crm.url", "https://crm.example.com/hooks/mail",
            "mailroute.webhooks.crm.secret", SECRET,
            "mailroute.webhooks.timeout", "10s",
            "mailroute.webhooks.retryFor", "24h",
            "mailroute.webhooks.maxRetryInterval", "5m"));

    private WebhookSettings read() {
        return WebhookSettings.from(new SettingsReader(key -> Optional.ofNullable(values.get(key))));
    }

    @Test
    void anEndpointGetsEveryEventByDefaultAndOnlyTheNamedOnesWhenListed() {
        WebhookSettings settings = read();
        assertThat(settings.endpoints()).singleElement().satisfies(e -> {
            assertThat(e.events()).hasSize(WebhookEventType.values().length);
            assertThat(e.allowInsecureLoopback()).isFalse();
            assertThat(e.allowPrivate()).isFalse();
            assertThat(e.toString()).doesNotContain(SECRET);
        });
        values.put("mailroute.webhooks.crm.events", "bounced, Failed");
        assertThat(read().subscribed(WebhookEventType.BOUNCED)).hasSize(1);
        assertThat(read().subscribed(WebhookEventType.DELIVERED)).isEmpty();
        values.put("mailroute.webhooks.crm.events", "bounced, opened");
        assertThatThrownBy(this::read).hasMessageStartingWith("mailroute.webhooks.crm.events: opened is not an event");
    }

    @Test
    void plainHttpIsRefusedUnlessToLoopbackAndAllowed() {
        values.put("mailroute.webhooks.crm.url", "http://crm.example.com/hooks");
        assertThatThrownBy(this::read).hasMessageContaining("mailroute.webhooks.crm.url is http://")
                .hasMessageContaining("mailroute.webhooks.crm.allowInsecureLoopback=true");
        values.put("mailroute.webhooks.crm.allowInsecureLoopback", "true");
        assertThatThrownBy(this::read).hasMessageContaining("is http://");
        values.put("mailroute.webhooks.crm.url", "http://127.0.0.1:8081/hooks");
        assertThat(read().endpoints()).hasSize(1);
    }

    @Test
    void aUrlWithCredentialsOrWithoutHostIsRefused() {
        values.put("mailroute.webhooks.crm.url", "https://user:pass@crm.example.com/hooks");
        assertThatThrownBy(this::read).hasMessageContaining("mailroute.webhooks.crm.url carries credentials")
                .hasMessageNotContaining("pass@");
        values.put("mailroute.webhooks.crm.url", "file:///etc/passwd");
        assertThatThrownBy(this::read).hasMessageContaining("must be an https:// URL");
    }

    @Test
    void theSecretIsRequiredWellFormedAndNeverQuoted() {
        values.remove("mailroute.webhooks.crm.secret");
        assertThatThrownBy(this::read).hasMessageContaining("MAILROUTE_WEBHOOKS_CRM_SECRET=whsec_");
        values.put("mailroute.webhooks.crm.secret", "hunter2-not-a-secret");
        assertThatThrownBy(this::read).hasMessageContaining("is not a Standard Webhooks secret")
                .hasMessageNotContaining("hunter2");
        values.put("mailroute.webhooks.crm.secret", "whsec_!!not base64!!");
        assertThatThrownBy(this::read).hasMessageNotContaining("not base64");
        // an empty or one-byte key would sign nothing worth checking
        values.put("mailroute.webhooks.crm.secret", "whsec_");
        assertThatThrownBy(this::read).hasMessageContaining("24 bytes or more");
        values.put("mailroute.webhooks.crm.secret", "whsec_AA==");
        assertThatThrownBy(this::read).hasMessageContaining("24 bytes or more");
        values.put("mailroute.webhooks.crm.secret", SECRET + "," + SECRET + "," + SECRET);
        assertThatThrownBy(this::read).hasMessageContaining("two while rotating");
    }

    @Test
    void aTimeoutOfZeroWouldBeNoTimeoutAndIsRefused() {
        values.put("mailroute.webhooks.timeout", "0");
        assertThatThrownBy(this::read).hasMessage("mailroute.webhooks.timeout=0 is too short; it must be 1s or more");
    }

    @Test
    void logsAndDoctorShowTheUrlWithoutItsPathWhereReceiversKeepTokens() {
        values.put("mailroute.webhooks.crm.url", "https://hooks.example.com:8443/services/T0/B0/token-0123456789?x=1");
        WebhookEndpoint endpoint = read().endpoints().get(0);
        assertThat(endpoint.shownUrl()).isEqualTo("https://hooks.example.com:8443/...");
        assertThat(endpoint.toString()).doesNotContain("token-0123456789");
    }

    @Test
    void aNameMustBeSimpleAndUnique() {
        values.put("mailroute.webhooks", "CRM-1");
        assertThatThrownBy(this::read).hasMessageContaining("CRM-1 is not a name");
        values.put("mailroute.webhooks", "timeout");
        assertThatThrownBy(this::read).hasMessageContaining("timeout is not a name");
        values.put("mailroute.webhooks", "crm, crm");
        assertThatThrownBy(this::read).hasMessage("mailroute.webhooks names crm twice");
    }
}
