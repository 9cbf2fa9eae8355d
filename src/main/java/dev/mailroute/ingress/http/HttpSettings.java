package dev.mailroute.ingress.http;

import java.util.List;

import dev.mailroute.settings.Secret;
import dev.mailroute.settings.SettingsReader;

/** The HTTP API ({@code mailroute.http.*}) and its bearer keys ({@code mailroute.api.keys}, secret). */
public record HttpSettings(String host, int port, List<Secret> apiKeys, int maxBatch) {

    public static HttpSettings from(SettingsReader r) {
        return new HttpSettings(r.required("mailroute.http.host"), r.integer("mailroute.http.port"),
                r.secrets("mailroute.api.keys"), r.atLeast("mailroute.http.maxBatch", 1));
    }
}
