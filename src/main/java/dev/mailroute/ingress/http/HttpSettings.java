package dev.mailroute.ingress.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.mailroute.settings.Secret;
import dev.mailroute.settings.SettingsReader;

/**
 * The HTTP API ({@code mailroute.http.*}), its bearer keys ({@code mailroute.api.keys} to send,
 * {@code mailroute.admin.keys} to read every message's story; both secret), and whether metrics
 * and the OpenAPI document need a key too ({@code mailroute.observe.requireKey}).
 *
 * @param idleTimeoutMillis a connection that sends nothing for this long is closed
 * @param requestTimeoutMillis a request must be received completely within this, from its first byte
 * @param maxConnectionsPerClient connections one client address may hold open at once
 */
public record HttpSettings(String host, int port, List<ApiKey> apiKeys, List<ApiKey> adminKeys, int maxBatch,
                           long idleTimeoutMillis, long requestTimeoutMillis, int maxConnectionsPerClient,
                           boolean observeRequiresKey) {

    public static HttpSettings from(SettingsReader r) {
        List<ApiKey> apiKeys = keys(r, "mailroute.api.keys");
        List<ApiKey> adminKeys = keys(r, "mailroute.admin.keys");
        for (int i = 0; i < adminKeys.size(); i++) {
            if (!adminKeys.get(i).senders().isEmpty()) {
                throw new IllegalArgumentException("mailroute.admin.keys entry " + (i + 1) + " has senders after '=':"
                                                   + " an admin key reads the ledger, it does not send mail");
            }
        }
        requireDistinct(apiKeys, adminKeys);
        return new HttpSettings(r.required("mailroute.http.host"), r.port("mailroute.http.port"), apiKeys, adminKeys,
                r.atLeast("mailroute.http.maxBatch", 1), r.millis("mailroute.http.idleTimeout"),
                r.millis("mailroute.http.requestTimeout"), r.atLeast("mailroute.http.maxConnectionsPerClient", 1),
                r.bool("mailroute.observe.requireKey"));
    }

    private static List<ApiKey> keys(SettingsReader r, String setting) {
        List<Secret> entries = r.secrets(setting);
        List<ApiKey> keys = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            keys.add(ApiKey.parse(entries.get(i), setting, i + 1));
        }
        return List.copyOf(keys);
    }

    /**
     * A name stands for one key (the ledger shows a key's messages to the key of that name), and a
     * key has one role: the same name or key twice is refused, naming the entries, never the key.
     */
    private static void requireDistinct(List<ApiKey> apiKeys, List<ApiKey> adminKeys) {
        Map<String, String> names = new HashMap<>();
        Map<String, String> secrets = new HashMap<>();
        List<ApiKey> all = new ArrayList<>(apiKeys);
        all.addAll(adminKeys);
        for (int i = 0; i < all.size(); i++) {
            ApiKey key = all.get(i);
            String where = i < apiKeys.size() ? "mailroute.api.keys entry " + (i + 1)
                    : "mailroute.admin.keys entry " + (i - apiKeys.size() + 1);
            String before = names.putIfAbsent(key.name(), where);
            if (before != null) {
                throw new IllegalArgumentException(where + " has the name '" + key.name() + "' of " + before
                                                   + "; each key needs a name of its own (name:key)");
            }
            before = secrets.putIfAbsent(key.key().reveal(), where);
            if (before != null) {
                throw new IllegalArgumentException(where + " is the same key as " + before
                                                   + "; each key is listed once, as a submit key or an admin key");
            }
        }
    }

    public boolean requiresKey() {
        return !apiKeys.isEmpty();
    }
}
