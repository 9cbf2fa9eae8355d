package dev.mailroute.notify.webhook;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.mailroute.settings.SettingsReader;

/**
 * The webhook endpoints ({@code mailroute.webhooks} names them, {@code mailroute.webhooks.<name>.*}
 * sets each up) and how their events are sent: the timeout of one POST, how long an event is
 * retried, and the longest wait between two tries.
 */
public record WebhookSettings(List<WebhookEndpoint> endpoints, long timeoutMillis, long retryForMillis,
                              long maxRetryIntervalMillis) {

    /**
     * Words of the mailroute.webhooks.* keys themselves, which an endpoint of that name could not be
     * told from, and outbox: an endpoint's sender route is webhook-&lt;name&gt;, and webhook-outbox is
     * the route of routes/notify-webhooks.yaml that fills the outboxes.
     */
    private static final Set<String> RESERVED = Set.of("timeout", "retryfor", "maxretryinterval", "failed", "outbox");

    public static WebhookSettings from(SettingsReader r) {
        List<WebhookEndpoint> endpoints = new ArrayList<>();
        for (String name : r.names("mailroute.webhooks", "an endpoint", RESERVED)) {
            endpoints.add(WebhookEndpoint.read(r, name));
        }
        long timeout = r.millis("mailroute.webhooks.timeout");
        if (timeout < 1000) {
            // 0 would be no timeout at all to the HTTP client
            throw new IllegalArgumentException("mailroute.webhooks.timeout=" + r.required("mailroute.webhooks.timeout")
                                               + " is too short; it must be 1s or more");
        }
        return new WebhookSettings(List.copyOf(endpoints), timeout,
                r.millis("mailroute.webhooks.retryFor"), r.millis("mailroute.webhooks.maxRetryInterval"));
    }

    /** The endpoints that get events of this type. */
    public List<WebhookEndpoint> subscribed(WebhookEventType type) {
        return endpoints.stream().filter(e -> e.events().contains(type)).toList();
    }
}
