package dev.mailroute.delivery.smtp;

import dev.mailroute.settings.SettingsReader;

/** The live sessions to the relay: {@code mailroute.smtp.connections}, {@code maxMessagesPerConnection}, {@code idleTimeout}. */
public record PoolSettings(int connections, int maxMessagesPerConnection, long idleTimeoutMillis) {

    public static PoolSettings from(SettingsReader r) {
        return from(r, "mailroute.smtp.");
    }

    /** The pool of the relay set up under {@code prefix} ({@code mailroute.smtp.} or {@code mailroute.relays.<name>.}). */
    public static PoolSettings from(SettingsReader r, String prefix) {
        return new PoolSettings(r.atLeast(prefix + "connections", 1),
                r.atLeast(prefix + "maxMessagesPerConnection", 1), r.millis(prefix + "idleTimeout"));
    }
}
