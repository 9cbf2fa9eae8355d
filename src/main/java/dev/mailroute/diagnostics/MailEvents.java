package dev.mailroute.diagnostics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

import dev.mailroute.delivery.smtp.RelayCircuit;
import dev.mailroute.queue.EmbeddedBroker;
import dev.mailroute.queue.QueueHeaders;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change of a message's state, once: one structured log line (logger {@code mailroute.events},
 * key=value, never a body or a password) and the Prometheus counters behind
 * {@code /observe/metrics}. While there is traffic, a summary line every minute.
 */
public final class MailEvents {

    private static final Logger EVENTS = LoggerFactory.getLogger("mailroute.events");
    private static final Logger SUMMARY = LoggerFactory.getLogger("mailroute.summary");

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Timer latency;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final ToLongFunction<String> queueDepth;
    private final ToLongFunction<String> scheduled;
    private final long summaryIntervalMillis;
    private long lastDelivered;
    private long lastFailed;
    private long lastRetried;
    private long lastAccepted;

    public MailEvents(CamelContext context, MeterRegistry registry, EmbeddedBroker broker, RelayCircuit circuit,
                      long summaryIntervalMillis) {
        this.registry = registry;
        this.queueDepth = broker == null ? queue -> -1 : broker::messageCount;
        this.scheduled = broker == null ? queue -> -1 : broker::scheduledCount;
        this.summaryIntervalMillis = summaryIntervalMillis;
        this.latency = Timer.builder("mailroute.delivery.latency")
                .description("time from acceptance to delivery").publishPercentileHistogram()
                .register(registry);
        if (broker != null) {
            for (String queue : new String[] {"mail.outbound", "mail.failed"}) {
                Gauge.builder("mailroute.queue.depth", () -> broker.messageCount(queue)).tag("queue", queue)
                        .description("messages on the queue, scheduled retries included").register(registry);
            }
            Gauge.builder("mailroute.queue.scheduled", () -> broker.scheduledCount("mail.outbound"))
                    .tag("queue", "mail.outbound").description("messages waiting for their retry time")
                    .register(registry);
        }
        Gauge.builder("mailroute.relay.circuit", () -> circuit.state().ordinal())
                .description("relay circuit: 0 closed, 1 open, 2 half-open").register(registry);
        ScheduledExecutorService timer = context.getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(this, "mailroute-summary");
        timer.scheduleAtFixedRate(this::summary, summaryIntervalMillis, summaryIntervalMillis, TimeUnit.MILLISECONDS);
    }

    public void accepted(Exchange exchange) {
        accepted.incrementAndGet();
        count("mailroute.messages.accepted", "ingress", ingress(exchange));
        log(exchange, "accepted", null);
    }

    public void duplicate(Exchange exchange) {
        count("mailroute.messages.duplicate", "ingress", ingress(exchange));
        log(exchange, "duplicate", null);
    }

    public void rejected(Exchange exchange) {
        count("mailroute.messages.rejected", "ingress", ingress(exchange));
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        EVENTS.info("event=rejected ingress={} reason=\"{}\"", ingress(exchange),
                cause == null ? "" : oneLine(cause.getMessage()));
    }

    public void delivered(Exchange exchange) {
        delivered.incrementAndGet();
        Message in = exchange.getMessage();
        count("mailroute.messages.delivered", "transport", transport(exchange));
        if ("smtp".equals(transport(exchange))) {
            reply(250); // the relay's answer to the end of the data
        }
        Long acceptedAt = in.getHeader(QueueHeaders.ACCEPTED_AT, Long.class);
        Long duration = acceptedAt == null ? null : System.currentTimeMillis() - acceptedAt;
        if (duration != null) {
            latency.record(Duration.ofMillis(Math.max(0, duration)));
        }
        log(exchange, "delivered", duration);
    }

    /** Some or all recipients deferred: the message is scheduled again. */
    public void deferred(Exchange exchange, int replyCode) {
        retried.incrementAndGet();
        count("mailroute.messages.retried", "transport", transport(exchange));
        reply(replyCode);
        log(exchange, "deferred", null, replyCode);
    }

    /** Some or all recipients parked in failed/. */
    public void failed(Exchange exchange, int replyCode, String kind) {
        failed.incrementAndGet();
        count("mailroute.messages.failed", "transport", transport(exchange), "kind", kind);
        reply(replyCode);
        log(exchange, "failed", null, replyCode);
    }

    /** The relay refused mailroute (authentication): the message stays queued. */
    public void held(Exchange exchange, int replyCode) {
        reply(replyCode);
        log(exchange, "held", null, replyCode);
    }

    private void reply(int replyCode) {
        if (replyCode > 0) {
            count("mailroute.smtp.replies", "code", Integer.toString(replyCode));
        }
    }

    /** Registers a counter the first time its name and tags occur; every later event only looks it up here. */
    private void count(String name, String... tags) {
        counters.computeIfAbsent(name + '\0' + String.join("\0", tags),
                key -> Counter.builder(name).tags(tags).register(registry)).increment();
    }

    private void log(Exchange exchange, String state, Long durationMillis) {
        log(exchange, state, durationMillis, -1);
    }

    private void log(Exchange exchange, String state, Long durationMillis, int replyCode) {
        Message in = exchange.getMessage();
        EVENTS.info("event={} id={} ingress={} transport={} attempt={} smtpCode={} durationMs={}", state,
                in.getHeader(QueueHeaders.ID, "-", String.class), ingress(exchange), transport(exchange),
                in.getHeader(QueueHeaders.ATTEMPTS, 0, Integer.class), replyCode > 0 ? replyCode : "-",
                durationMillis == null ? "-" : durationMillis);
    }

    private void summary() {
        long nowDelivered = delivered.get();
        long nowFailed = failed.get();
        long nowRetried = retried.get();
        long nowAccepted = accepted.get();
        if (nowDelivered == lastDelivered && nowFailed == lastFailed && nowRetried == lastRetried
            && nowAccepted == lastAccepted) {
            return; // no traffic, no line
        }
        SUMMARY.info("summary delivered/s={} accepted={} delivered={} retrying={} failed={} queueDepth={}",
                String.format("%.1f", (nowDelivered - lastDelivered) * 1000.0 / summaryIntervalMillis),
                nowAccepted - lastAccepted, nowDelivered - lastDelivered, scheduled.applyAsLong("mail.outbound"),
                nowFailed - lastFailed, queueDepth.applyAsLong("mail.outbound"));
        lastDelivered = nowDelivered;
        lastFailed = nowFailed;
        lastRetried = nowRetried;
        lastAccepted = nowAccepted;
    }

    private static String ingress(Exchange exchange) {
        return exchange.getMessage().getHeader(QueueHeaders.INGRESS, "-", String.class);
    }

    private static String transport(Exchange exchange) {
        return exchange.getMessage().getHeader(QueueHeaders.TRANSPORT, "-", String.class);
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("[\\r\\n\"]+", " ");
    }
}
