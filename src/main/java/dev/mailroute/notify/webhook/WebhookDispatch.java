package dev.mailroute.notify.webhook;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

import dev.mailroute.observability.LogText;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each endpoint's events from its outbox queue, one at a time and in order (one consumer per
 * queue, the queue exclusive): the step of the route {@code webhook-<endpoint>}
 * (routes/notify-webhooks.yaml). An event leaves its queue only when its receiver has it (2xx) or
 * it is set aside; until then it stays at the head, so the events of a message arrive in the order
 * they happened, after any downtime of the receiver.
 *
 * <ul>
 *   <li>unreachable, timed out, 5xx, 408, 429: tried again after 1 s, then twice as long each time
 *       up to {@code maxRetryInterval}, for {@code retryFor} after the event happened, then set aside;</li>
 *   <li>410 Gone: the endpoint is disabled — its route stops, its events wait on its queue — until
 *       the next start; logged, in the metrics, the health answer and doctor;</li>
 *   <li>any other answer: the event is set aside at once, logged and counted.</li>
 * </ul>
 * Set aside means moved to {@code mail.webhooks.failed} with the reason: nothing is dropped. When
 * mailroute stops (or is killed) with an event unsent, the event is still on its queue and goes first
 * after the start: at least once, with the same {@code webhook-id}.
 */
public final class WebhookDispatch extends ServiceSupport {

    /** Exchange property: why the event is set aside; absent while it is sent or still to be sent. */
    public static final String SET_ASIDE = "mailrouteWebhookSetAside";
    /** Exchange header on the set-aside copy: why. */
    public static final String SET_ASIDE_REASON = "mailrouteWebhookSetAsideReason";

    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatch.class);
    private static final long FIRST_WAIT_MILLIS = 1000;
    /** How long a disabled endpoint's sender waits before it gives an event back, while its route stops. */
    private static final long DISABLED_WAIT_MILLIS = 5000;

    /** One endpoint's sender and what it has done. */
    private static final class Endpoint {
        final WebhookEndpoint config;
        final WebhookPoster poster;
        final Counter sent;
        final Counter retried;
        final Counter failed;
        /** When the event at the head of its queue happened (epoch millis), 0 when none waits. */
        volatile long headSince;
        volatile String disabled;

        Endpoint(WebhookEndpoint config, WebhookPoster poster, MeterRegistry registry) {
            this.config = config;
            this.poster = poster;
            this.sent = counter(registry, config.name(), "sent");
            this.retried = counter(registry, config.name(), "retried");
            this.failed = counter(registry, config.name(), "failed");
        }

        private static Counter counter(MeterRegistry registry, String name, String outcome) {
            return Counter.builder("mailroute.webhook.posts").tag("endpoint", name).tag("outcome", outcome)
                    .description("webhook POSTs: sent (2xx), retried (the receiver down or busy), failed (event set aside)")
                    .register(registry);
        }
    }

    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    private final WebhookSettings settings;
    private final CamelContext context;
    private final Object wake = new Object();
    private volatile boolean stopping;

    /** @param pending the messages on an endpoint's outbox queue, by endpoint name */
    public WebhookDispatch(WebhookSettings settings, CamelContext context, MeterRegistry registry,
                           ToLongFunction<String> pending) {
        this.settings = settings;
        this.context = context;
        for (WebhookEndpoint config : settings.endpoints()) {
            Endpoint endpoint = new Endpoint(config, new WebhookPoster(config, settings.timeoutMillis()), registry);
            endpoints.put(config.name(), endpoint);
            Gauge.builder("mailroute.webhook.pending", () -> pending.applyAsLong(config.name()))
                    .tag("endpoint", config.name()).description("events waiting on the endpoint's outbox queue")
                    .register(registry);
            Gauge.builder("mailroute.webhook.oldest.pending.seconds", endpoint,
                            e -> e.headSince == 0 ? 0 : (System.currentTimeMillis() - e.headSince) / 1000.0)
                    .tag("endpoint", config.name()).description("age of the event the endpoint has not yet taken")
                    .register(registry);
            Gauge.builder("mailroute.webhook.disabled", endpoint, e -> e.disabled == null ? 0 : 1)
                    .tag("endpoint", config.name()).description("1 when the receiver answered 410 Gone: no more events until a restart")
                    .register(registry);
        }
    }

    /** The route id of an endpoint's sender. */
    public static String routeId(String endpoint) {
        return "webhook-" + endpoint;
    }

    /**
     * Sends the event; returns once the receiver has it or it is set aside ({@link #SET_ASIDE}), and
     * throws — the event stays first on its queue — when mailroute stops or the endpoint is disabled.
     */
    public void post(Exchange exchange) throws InterruptedException, EndpointPausedException {
        Message in = exchange.getMessage();
        String name = in.getHeader(WebhookOutbox.ENDPOINT, String.class);
        Endpoint endpoint = endpoints.get(name);
        if (endpoint == null) {
            // not an event of this gateway's endpoints (put on the queue by something else): never sent
            exchange.setProperty(SET_ASIDE, "the endpoint " + name + " is no longer in mailroute.webhooks");
            return;
        }
        String id = in.getHeader(WebhookOutbox.EVENT_ID, String.class);
        long at = in.getHeader(WebhookOutbox.EVENT_AT, System.currentTimeMillis(), Long.class);
        String body = in.getBody(String.class);
        endpoint.headSince = at;
        long wait = FIRST_WAIT_MILLIS;
        while (true) {
            if (endpoint.disabled != null) {
                // its route is being stopped (disable): no spinning through the queue meanwhile
                pause(DISABLED_WAIT_MILLIS);
            }
            if (stopping || endpoint.disabled != null) {
                throw new EndpointPausedException(endpoint.config.name());
            }
            WebhookPoster.Answer answer;
            try {
                answer = endpoint.poster.post(id, body);
            } catch (RuntimeException e) {
                // not the receiver's doing: set aside rather than tried again and again
                setAside(exchange, endpoint, id, "could not be sent: " + e);
                return;
            }
            switch (answer.verdict()) {
                case SENT -> {
                    endpoint.sent.increment();
                    endpoint.headSince = 0;
                    return;
                }
                case GONE -> {
                    disable(endpoint);
                    throw new EndpointPausedException(endpoint.config.name());
                }
                case REFUSED -> {
                    setAside(exchange, endpoint, id, "the receiver answered " + answer.reason());
                    return;
                }
                default -> {
                    if (System.currentTimeMillis() - at > settings.retryForMillis()) {
                        setAside(exchange, endpoint, id, "not taken within mailroute.webhooks.retryFor; the last"
                                                         + " answer: " + answer.reason());
                        return;
                    }
                    endpoint.retried.increment();
                    LOG.info("webhook {}: event {} not taken ({}); next try in {} ms", endpoint.config.name(), id,
                            answer.reason(), wait);
                    pause(wait);
                    wait = Math.min(wait * 2, Math.max(FIRST_WAIT_MILLIS, settings.maxRetryIntervalMillis()));
                }
            }
        }
    }

    private void setAside(Exchange exchange, Endpoint endpoint, String id, String reason) {
        endpoint.failed.increment();
        endpoint.headSince = 0;
        LOG.warn("webhook {}: event {} set aside on mail.webhooks.failed: {}", endpoint.config.name(), id,
                LogText.oneLine(reason, 500));
        exchange.setProperty(SET_ASIDE, reason);
        exchange.getMessage().setHeader(SET_ASIDE_REASON, LogText.oneLine(reason, 500));
    }

    /** 410: no more events for this endpoint until the next start; its route stops, its queue keeps them. */
    private void disable(Endpoint endpoint) {
        // the status only: the receiver's reason phrase is its own text, and the health answer is open
        endpoint.disabled = "410 Gone";
        LOG.error("webhook {}: the receiver at {} answered 410 Gone: the endpoint is disabled until mailroute"
                  + " restarts; its events wait on mail.webhook.{} (remove it from mailroute.webhooks, or fix the"
                  + " receiver, and restart)", endpoint.config.name(), endpoint.config.shownUrl(), endpoint.config.name());
        String route = routeId(endpoint.config.name());
        // not from this thread: the route's stop waits for the exchange this thread is in
        Thread stopper = new Thread(() -> {
            try {
                context.getRouteController().stopRoute(route);
            } catch (Exception e) {
                LOG.warn("webhook {}: could not stop {}: {}", endpoint.config.name(), route, e.toString());
            }
        }, "mailroute-webhook-disable");
        stopper.setDaemon(true);
        stopper.start();
    }

    /** The disabled endpoints with the answer that disabled them. */
    public Map<String, String> disabled() {
        Map<String, String> disabled = new LinkedHashMap<>();
        endpoints.values().stream().filter(e -> e.disabled != null)
                .forEach(e -> disabled.put(e.config.name(), e.disabled));
        return disabled;
    }

    /** Endpoint name → seconds its oldest unsent event has waited (0 when none waits). */
    public Map<String, Long> oldestPendingSeconds() {
        Map<String, Long> ages = new LinkedHashMap<>();
        endpoints.values().forEach(e -> ages.put(e.config.name(),
                e.headSince == 0 ? 0 : (System.currentTimeMillis() - e.headSince) / 1000));
        return ages;
    }

    /** Waits, unless mailroute is stopping. */
    private void pause(long millis) throws InterruptedException {
        long until = System.currentTimeMillis() + millis;
        synchronized (wake) {
            long left;
            while (!stopping && (left = until - System.currentTimeMillis()) > 0) {
                wake.wait(left);
            }
        }
    }

    /** Called as the context begins to stop, before its routes: a sender waiting to retry gives its event back. */
    public void stopping() {
        stopping = true;
        synchronized (wake) {
            wake.notifyAll();
        }
        endpoints.values().forEach(e -> e.poster.cancel());
    }

    @Override
    protected void doStart() {
        stopping = false;
    }

    @Override
    protected void doStop() {
        stopping();
        for (Endpoint endpoint : endpoints.values()) {
            try {
                endpoint.poster.close();
            } catch (IOException e) {
                // closing idle connections: nothing to tell
            }
        }
    }

    /** The endpoint's event stays first on its queue: mailroute is stopping, or the endpoint is disabled. */
    public static final class EndpointPausedException extends Exception {
        EndpointPausedException(String endpoint) {
            super("webhook " + endpoint + ": paused (stopping, or disabled by a 410); the event stays on its queue");
        }
    }
}
