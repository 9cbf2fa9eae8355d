package dev.mailroute.ingress.http;

import java.util.Arrays;
import java.util.List;

import dev.mailroute.settings.Secret;

/**
 * One bearer key of the HTTP API ({@code mailroute.api.keys}), and the senders a request made
 * with it may use: {@code key-one=*@billing.example.com *@invoices.example.com} lets that key send
 * only as those; a key without {@code =} may send as any sender the global policy allows.
 */
public record ApiKey(Secret key, List<String> senders) {

    /** One entry of the comma-separated list: {@code key} or {@code key=pattern pattern ...}. */
    public static ApiKey parse(Secret entry) {
        String text = entry.reveal();
        int equals = text.indexOf('=');
        if (equals < 0) {
            return new ApiKey(entry, List.of());
        }
        String key = text.substring(0, equals).trim();
        if (key.isEmpty()) {
            throw new IllegalArgumentException("mailroute.api.keys has an entry with senders but no key before '='");
        }
        List<String> senders = Arrays.stream(text.substring(equals + 1).trim().split("\\s+"))
                .filter(p -> !p.isEmpty()).toList();
        return new ApiKey(Secret.of(key), senders);
    }
}
