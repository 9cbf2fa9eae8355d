package dev.mailroute.ingress.file;

import java.nio.file.Path;

import dev.mailroute.settings.SettingsReader;

/** The inbox folder ({@code mailroute.inbox.*}) and where its rejected files go ({@code mailroute.rejected.dir}). */
public record InboxSettings(Path dir, long minAgeMillis, Path rejectedDir) {

    public static InboxSettings from(SettingsReader r) {
        return new InboxSettings(r.path("mailroute.inbox.dir"), r.millis("mailroute.inbox.minAge"),
                r.path("mailroute.rejected.dir"));
    }
}
