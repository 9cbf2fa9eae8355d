package dev.mailroute.delivery;

import java.util.Locale;

/** How a message leaves mailroute ({@code mailroute.transport}); {@link #id()} names its route, {@code direct:transport-<id>}. */
public enum Transport {
    SMTP, PICKUP;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Transport parse(String key, String text) {
        for (Transport transport : values()) {
            if (transport.id().equalsIgnoreCase(text.trim())) {
                return transport;
            }
        }
        throw new IllegalArgumentException(key + "=" + text + " is not pickup or smtp");
    }

    @Override
    public String toString() {
        return id();
    }
}
