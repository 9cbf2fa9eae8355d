package dev.mailroute.ingress.http;

import java.util.Map;
import java.util.Optional;

import dev.mailroute.settings.Secret;
import dev.mailroute.settings.SettingsReader;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The entries of mailroute.api.keys and mailroute.admin.keys: names given or derived, refusals that never show a key. */
class ApiKeyTest {

    @Test
    void aNameIsWhatComesBeforeTheFirstColon() {
        ApiKey key = ApiKey.parse(Secret.of("billing:k:with:colons=*@billing.example.com *@invoices.example.com"),
                "mailroute.api.keys", 1);
        assertThat(key.name()).isEqualTo("billing");
        assertThat(key.key().reveal()).isEqualTo("k:with:colons");
        assertThat(key.senders()).containsExactly("*@billing.example.com", "*@invoices.example.com");
    }

    @Test
    void withoutANameTheNameComesFromTheKeysDigest() {
        ApiKey key = ApiKey.parse(Secret.of("0123456789abcdef"), "mailroute.api.keys", 1);
        // printf 0123456789abcdef | sha256sum
        assertThat(key.name()).isEqualTo("key-9f9f5111");
        assertThat(ApiKey.parse(Secret.of("0123456789abcdef"), "mailroute.api.keys", 2).name()).isEqualTo(key.name());
        assertThat(key.key().reveal()).isEqualTo("0123456789abcdef");
    }

    @Test
    void aBadNameOrAMissingKeyIsRefusedWithoutShowingTheKey() {
        assertThatThrownBy(() -> ApiKey.parse(Secret.of("my key:secret-1"), "mailroute.api.keys", 3))
                .hasMessage("mailroute.api.keys entry 3: the name before ':' must be 1 to 64 of A-Z a-z 0-9 . _ -"
                            + " (a key that contains ':' must be given a name: name:key)")
                .message().doesNotContain("secret-1");
        assertThatThrownBy(() -> ApiKey.parse(Secret.of("ops:"), "mailroute.admin.keys", 1))
                .hasMessage("mailroute.admin.keys entry 1 has no key after 'ops:'");
        assertThatThrownBy(() -> ApiKey.parse(Secret.of("=*@example.com"), "mailroute.api.keys", 1))
                .hasMessage("mailroute.api.keys entry 1 has no key before '='");
    }

    @Test
    void namesAndKeysAreEachListedOnceAndAdminKeysSendNothing() {
        assertThatThrownBy(() -> settings("a:k-1, a:k-2", ""))
                .hasMessage("mailroute.api.keys entry 2 has the name 'a' of mailroute.api.keys entry 1; each key needs"
                            + " a name of its own (name:key)");
        assertThatThrownBy(() -> settings("a:k-1", "b:k-1"))
                .hasMessage("mailroute.admin.keys entry 1 is the same key as mailroute.api.keys entry 1; each key is"
                            + " listed once, as a submit key or an admin key");
        assertThatThrownBy(() -> settings("", "ops:k-1=*@example.com"))
                .hasMessageStartingWith("mailroute.admin.keys entry 1 has senders after '='");
        HttpSettings settings = settings("k-1, billing:k-2", "ops:k-3");
        assertThat(settings.apiKeys()).extracting(ApiKey::name).containsExactly(ApiKey.derivedName("k-1"), "billing");
        assertThat(settings.adminKeys()).extracting(ApiKey::name).containsExactly("ops");
    }

    private static HttpSettings settings(String apiKeys, String adminKeys) {
        Map<String, String> values = Map.of("mailroute.http.host", "127.0.0.1", "mailroute.http.port", "8080",
                "mailroute.api.keys", apiKeys, "mailroute.admin.keys", adminKeys, "mailroute.http.maxBatch", "10",
                "mailroute.http.idleTimeout", "30s", "mailroute.http.requestTimeout", "120s",
                "mailroute.http.maxConnectionsPerClient", "16", "mailroute.observe.requireKey", "true");
        return HttpSettings.from(new SettingsReader(key -> Optional.ofNullable(values.get(key))));
    }
}
