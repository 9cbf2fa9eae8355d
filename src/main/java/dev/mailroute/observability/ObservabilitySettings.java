package dev.mailroute.observability;

import dev.mailroute.settings.SettingsReader;

/** How often the summary line is logged while there is traffic ({@code mailroute.log.summaryInterval}). */
public record ObservabilitySettings(long summaryIntervalMillis) {

    public static ObservabilitySettings from(SettingsReader r) {
        return new ObservabilitySettings(r.millis("mailroute.log.summaryInterval"));
    }
}
