package dev.mailroute.ingress.http;

import java.util.List;

import dev.mailroute.settings.SettingsReader;

/**
 * The HTTP API ({@code mailroute.http.*}), its bearer keys ({@code mailroute.api.keys}, secret),
 * and whether metrics and the OpenAPI document need a key too ({@code mailroute.observe.requireKey}).
 *
 * @param idleTimeoutMillis a connection that sends nothing for this long is closed
 * @param requestTimeoutMillis a request must be received completely within this, from its first byte
 * @param maxConnectionsPerClient connections one client address may hold open at once
 */
public record HttpSettings(String host, int port, List<ApiKey> apiKeys, int maxBatch, long idleTimeoutMillis,
                           long requestTimeoutMillis, int maxConnectionsPerClient, boolean observeRequiresKey) {

    public static HttpSettings from(SettingsReader r) {
        return new HttpSettings(r.required("mailroute.http.host"), r.port("mailroute.http.port"),
                r.secrets("mailroute.api.keys").stream().map(ApiKey::parse).toList(),
                r.atLeast("mailroute.http.maxBatch", 1), r.millis("mailroute.http.idleTimeout"),
                r.millis("mailroute.http.requestTimeout"), r.atLeast("mailroute.http.maxConnectionsPerClient", 1),
                r.bool("mailroute.observe.requireKey"));
    }

    public boolean requiresKey() {
        return !apiKeys.isEmpty();
    }
}
