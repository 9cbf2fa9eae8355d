package dev.mailroute.notify.webhook;

import java.util.Arrays;
import java.util.Locale;

/**
 * What a webhook tells: a message was accepted, or one of its recipients reached a state — the
 * ledger's states, under the same names ({@code mailroute.webhooks.<name>.events}).
 */
public enum WebhookEventType {
    ACCEPTED, DELIVERED, DEFERRED, BOUNCED, FAILED, EXPIRED, HELD, RELEASED, DELETED;

    /** The name in the configuration and in an event's {@code type}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type of a ledger state (delivered, deferred, bounced, failed, expired, held, deleted), or null. */
    public static WebhookEventType ofState(String state) {
        return Arrays.stream(values()).filter(t -> t.id().equals(state)).findFirst().orElse(null);
    }
}
