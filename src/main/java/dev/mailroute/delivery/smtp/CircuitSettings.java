package dev.mailroute.delivery.smtp;

import dev.mailroute.settings.SettingsReader;

/**
 * The relay circuit breaker ({@code mailroute.circuit.*}) and what it does while open
 * ({@code mailroute.smtp.fallback}: pause, or deliver into the pickup folder).
 */
public record CircuitSettings(int failures, long probeIntervalMillis, boolean fallbackToPickup) {

    public static CircuitSettings from(SettingsReader r) {
        return new CircuitSettings(r.atLeast("mailroute.circuit.failures", 1), r.millis("mailroute.circuit.probeInterval"),
                fallback(r.optional("mailroute.smtp.fallback")));
    }

    private static boolean fallback(String value) {
        if (value == null || value.equalsIgnoreCase("none")) {
            return false;
        }
        if (value.equalsIgnoreCase("pickup")) {
            return true;
        }
        throw new IllegalArgumentException("mailroute.smtp.fallback=" + value + " is not pickup (or empty)");
    }
}
