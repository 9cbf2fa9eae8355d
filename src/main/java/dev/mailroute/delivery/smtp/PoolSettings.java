package dev.mailroute.delivery.smtp;

import dev.mailroute.settings.SettingsReader;

/** The live sessions to the relay: {@code mailroute.smtp.connections}, {@code maxMessagesPerConnection}, {@code idleTimeout}. */
public record PoolSettings(int connections, int maxMessagesPerConnection, long idleTimeoutMillis) {

    public static PoolSettings from(SettingsReader r) {
        return new PoolSettings(r.atLeast("mailroute.smtp.connections", 1),
                r.atLeast("mailroute.smtp.maxMessagesPerConnection", 1), r.millis("mailroute.smtp.idleTimeout"));
    }
}
