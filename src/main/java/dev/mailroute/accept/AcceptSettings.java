package dev.mailroute.accept;

import java.nio.file.Path;
import java.util.List;

import dev.mailroute.settings.SettingsReader;

/**
 * What accept checks and remembers: the size limit, the sender policy ({@code mailroute.senders.allowed}),
 * the client keys ({@code mailroute.idempotency.*}) and how many recipients a merge request may have.
 */
public record AcceptSettings(long maxBytes, List<String> sendersAllowed, Path idempotencyFile,
                             long idempotencyRetentionMillis, int mergeMaxRecipients) {

    public static AcceptSettings from(SettingsReader r) {
        return new AcceptSettings(r.bytes("mailroute.message.maxBytes"), r.list("mailroute.senders.allowed"),
                r.path("mailroute.idempotency.file"), r.millis("mailroute.idempotency.retention"),
                r.atLeast("mailroute.merge.maxRecipients", 1));
    }
}
