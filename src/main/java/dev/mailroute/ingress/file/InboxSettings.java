package dev.mailroute.ingress.file;

import java.nio.file.Path;

import dev.mailroute.settings.SettingsReader;

/**
 * The inbox folder ({@code mailroute.inbox.dir}) and where its rejected files go
 * ({@code mailroute.rejected.dir}). How long a file must rest ({@code mailroute.inbox.minAge}) is
 * routes/ingress-file.yaml's to use; the key table checks its value.
 */
public record InboxSettings(Path dir, Path rejectedDir) {

    public static InboxSettings from(SettingsReader r) {
        return new InboxSettings(r.path("mailroute.inbox.dir"), r.path("mailroute.rejected.dir"));
    }
}
