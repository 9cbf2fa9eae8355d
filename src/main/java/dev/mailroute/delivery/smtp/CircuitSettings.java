package dev.mailroute.delivery.smtp;

import dev.mailroute.settings.SettingsReader;

/**
 * The relay circuit breaker ({@code mailroute.circuit.*}) and what it does while open
 * ({@code mailroute.smtp.fallback}: pause, or deliver into the pickup folder).
 */
public record CircuitSettings(int failures, long probeIntervalMillis, boolean fallbackToPickup) {

    public static CircuitSettings from(SettingsReader r) {
        return from(r, "mailroute.circuit.", "mailroute.smtp.fallback");
    }

    /**
     * The circuit of the relay whose keys are {@code <prefix>failures}, {@code <prefix>probeInterval}
     * and {@code fallbackKey}: {@code mailroute.circuit.*} and {@code mailroute.smtp.fallback} for the
     * relay named default, {@code mailroute.relays.<name>.circuit.*} and {@code .fallback} for another.
     */
    public static CircuitSettings from(SettingsReader r, String prefix, String fallbackKey) {
        return new CircuitSettings(r.atLeast(prefix + "failures", 1), r.millis(prefix + "probeInterval"),
                fallback(fallbackKey, r.optional(fallbackKey)));
    }

    private static boolean fallback(String key, String value) {
        if (value == null || value.equalsIgnoreCase("none")) {
            return false;
        }
        if (value.equalsIgnoreCase("pickup")) {
            return true;
        }
        throw new IllegalArgumentException(key + "=" + value + " is not pickup (or empty)");
    }
}
