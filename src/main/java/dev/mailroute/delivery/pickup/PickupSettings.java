package dev.mailroute.delivery.pickup;

import java.nio.file.Path;

import dev.mailroute.settings.SettingsReader;

/** The pickup folder and how files are written into it ({@code mailroute.pickup.*}). */
public record PickupSettings(Path dir, PickupFormat format, boolean fsync) {

    public static PickupSettings from(SettingsReader r) {
        return new PickupSettings(r.path("mailroute.pickup.dir"), PickupFormat.parse(r.required("mailroute.pickup.format")),
                r.bool("mailroute.pickup.fsync"));
    }
}
