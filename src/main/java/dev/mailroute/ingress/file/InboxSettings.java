package dev.mailroute.ingress.file;

import java.nio.file.Path;

import dev.mailroute.settings.SettingsReader;

/**
 * The inbox folder ({@code mailroute.inbox.dir}) and where its rejected files go
 * ({@code mailroute.rejected.dir}), and how long a file must rest unchanged before it is read
 * ({@code mailroute.inbox.minAge}, in ms: routes/ingress-file.yaml's read lock, and {@link InboxFiles},
 * which leaves a younger file for a later poll).
 */
public record InboxSettings(Path dir, Path rejectedDir, long minAgeMillis) {

    public static InboxSettings from(SettingsReader r) {
        return new InboxSettings(r.path("mailroute.inbox.dir"), r.path("mailroute.rejected.dir"),
                r.millis("mailroute.inbox.minAge"));
    }
}
