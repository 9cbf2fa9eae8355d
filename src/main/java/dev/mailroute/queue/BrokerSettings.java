package dev.mailroute.queue;

import java.nio.file.Path;

import dev.mailroute.settings.SettingsReader;

/**
 * The queue ({@code mailroute.broker.*}): an external broker's URL, or, when that is empty, where
 * the embedded broker keeps its journal and accepts JMS clients.
 */
public record BrokerSettings(String url, String host, int port, Path dir) {

    public static BrokerSettings from(SettingsReader r) {
        return new BrokerSettings(r.optional("mailroute.broker.url"), r.required("mailroute.broker.host"),
                r.integer("mailroute.broker.port"), r.path("mailroute.broker.dir"));
    }

    public boolean embedded() {
        return url == null;
    }
}
