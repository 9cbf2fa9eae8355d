package dev.mailroute.delivery.pickup;

import java.util.Locale;

/** How a pickup file tells the pickup service its envelope (docs/delivery.md, "Pickup files"). */
public enum PickupFormat {
    /** X-Sender / X-Receiver lines first, no Bcc header: what .NET SmtpClient and CDOSYS write. */
    X_SENDER,
    /** Plain RFC 5322 with a Bcc header: for services that read the envelope from headers (Exchange Pickup). */
    HEADERS;

    public static PickupFormat parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "x-sender" -> X_SENDER;
            case "headers" -> HEADERS;
            default -> throw new IllegalArgumentException("mailroute.pickup.format=" + text
                                                          + " is not x-sender or headers");
        };
    }
}
