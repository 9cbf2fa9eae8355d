package dev.mailroute.routing;

import java.nio.file.Path;
import java.util.Set;

import dev.mailroute.settings.SettingsReader;

/**
 * The routing stage ({@code mailroute.routing.*}): the routing file, if any, and how often it is
 * looked at for a change. The table the file makes is read here, at start, so that a file that
 * does not validate stops the start naming the key, the file, the line and the reason.
 *
 * @param file the routing file; null = no file, every message takes the relay named default
 * @param table the table the file made at start (the default-only table without a file)
 */
public record RoutingSettings(Path file, long checkIntervalMillis, RoutingTable table) {

    public static RoutingSettings from(SettingsReader r, Set<String> relays) {
        long interval = r.millis("mailroute.routing.checkInterval");
        if (interval < 1000) {
            throw new IllegalArgumentException("mailroute.routing.checkInterval=" + r.required(
                    "mailroute.routing.checkInterval") + " is too short; it must be 1s or more");
        }
        if (r.optional("mailroute.routing.file") == null) {
            return new RoutingSettings(null, interval, RoutingTable.defaultOnly());
        }
        Path file = r.path("mailroute.routing.file");
        try {
            return new RoutingSettings(file, interval, RoutingFile.parse(file, RoutingFile.read(file), relays));
        } catch (RoutingFileException e) {
            throw new IllegalArgumentException("mailroute.routing.file: " + e.getMessage());
        }
    }

    public boolean routes() {
        return file != null;
    }
}
