package dev.mailroute.delivery.pickup;

import java.nio.file.Path;

import dev.mailroute.files.FileModes;
import dev.mailroute.settings.SettingsReader;

/**
 * The pickup folder and how files are written into it ({@code mailroute.pickup.*}).
 *
 * @param modes the pickup folder's and files' mode and group ({@code mailroute.pickup.group})
 */
public record PickupSettings(Path dir, PickupFormat format, boolean fsync, FileModes modes) {

    public static PickupSettings from(SettingsReader r) {
        Path dir = r.path("mailroute.pickup.dir");
        return new PickupSettings(dir, PickupFormat.parse(r.required("mailroute.pickup.format")),
                r.bool("mailroute.pickup.fsync"), FileModes.forGroup(FileModes.group("mailroute.pickup.group",
                r.optional("mailroute.pickup.group"), dir.getFileSystem()).orElse(null)));
    }
}
