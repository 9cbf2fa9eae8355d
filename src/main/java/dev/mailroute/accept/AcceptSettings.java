package dev.mailroute.accept;

import java.nio.file.Path;

import dev.mailroute.settings.SettingsReader;

/** What accept checks and remembers: the size limit, and the client keys ({@code mailroute.idempotency.*}). */
public record AcceptSettings(long maxBytes, Path idempotencyFile, long idempotencyRetentionMillis) {

    public static AcceptSettings from(SettingsReader r) {
        return new AcceptSettings(r.bytes("mailroute.message.maxBytes"), r.path("mailroute.idempotency.file"),
                r.millis("mailroute.idempotency.retention"));
    }
}
