package dev.mailroute.observability;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

import dev.mailroute.message.Handover;
import dev.mailroute.message.MessageHeaders;
import dev.mailroute.message.QueuedMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change of a message's state, once: one structured log line (logger {@code mailroute.events},
 * key=value, never a body or a password) and the Prometheus counters behind
 * {@code /observe/metrics}. While there is traffic, a summary line every
 * {@code mailroute.log.summaryInterval}; its timer runs while this service runs (it starts and
 * stops with the Camel context).
 */
public final class MailEvents extends ServiceSupport {

    /** Exchange property a stage sets to say which transport an attempt used (its lower-case name). */
    public static final String TRANSPORT = "mailrouteTransport";

    private static final Logger EVENTS = LoggerFactory.getLogger("mailroute.events");
    private static final Logger SUMMARY = LoggerFactory.getLogger("mailroute.summary");

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Timer latency;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final DeliveryRate deliveryRate = new DeliveryRate(delivered::get, System::currentTimeMillis);
    private final ToLongFunction<String> queueDepth;
    private final ToLongFunction<String> scheduled;
    private final ExecutorServiceManager executors;
    private final long summaryIntervalMillis;
    private ScheduledExecutorService timer;
    private long lastDelivered;
    private long lastFailed;
    private long lastRetried;
    private long lastAccepted;

    /**
     * @param queueDepth messages on a queue (-1 when unknown), for the summary line
     * @param scheduled messages on a queue waiting for their retry time (-1 when unknown)
     */
    public MailEvents(MeterRegistry registry, ToLongFunction<String> queueDepth, ToLongFunction<String> scheduled,
                      ExecutorServiceManager executors, ObservabilitySettings settings) {
        this.registry = registry;
        this.queueDepth = queueDepth;
        this.scheduled = scheduled;
        this.executors = executors;
        this.summaryIntervalMillis = settings.summaryIntervalMillis();
        this.latency = Timer.builder("mailroute.delivery.latency")
                .description("time from acceptance to delivery").publishPercentileHistogram()
                .register(registry);
    }

    @Override
    protected void doStart() {
        timer = executors.newSingleThreadScheduledExecutor(this, "mailroute-summary");
        timer.scheduleAtFixedRate(this::summary, summaryIntervalMillis, summaryIntervalMillis, TimeUnit.MILLISECONDS);
        timer.scheduleAtFixedRate(deliveryRate::sample, DeliveryRate.SAMPLE_MILLIS, DeliveryRate.SAMPLE_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        if (timer != null) {
            executors.shutdownNow(timer);
            timer = null;
        }
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
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        rejected(ingress(exchange), cause == null ? "" : cause.getMessage());
    }

    public void rejected(String ingress, String reason) {
        count("mailroute.messages.rejected", "ingress", ingress);
        EVENTS.info("event=rejected ingress={} reason=\"{}\"", ingress, LogText.oneLine(reason));
    }

    /**
     * The SMTP listener refused something (a client, a login, a sender, a message): counted by
     * reason, and one event line with the client's address and what it was told.
     */
    public void smtpRefused(String reason, InetSocketAddress client, String reply) {
        count("mailroute.smtpd.refusals", "reason", reason);
        EVENTS.info("event=smtp-refused client={} reason={} reply=\"{}\"",
                client == null ? "?" : client.getAddress().getHostAddress(), reason, LogText.oneLine(reply));
    }

    /**
     * An ingress dropped fields a client sent under mailroute's own names (an attempt to steer the
     * queue): counted per name, and one event line with the first few names, escaped.
     */
    public void internalHeadersDropped(String ingress, int count, java.util.List<String> names) {
        counters.computeIfAbsent("mailroute.ingress.internal.dropped\0" + ingress,
                key -> Counter.builder("mailroute.ingress.internal.dropped")
                        .description("fields a client sent under the queue contract's names, dropped by the ingress")
                        .tags("ingress", ingress).register(registry)).increment(count);
        StringBuilder shown = new StringBuilder();
        for (String name : names) {
            shown.append(shown.isEmpty() ? "" : ",").append(LogText.oneLine(name, 64));
        }
        EVENTS.warn("event=internal-field-dropped ingress={} count={} names=\"{}\"", ingress, count, shown);
    }

    /**
     * An operator's action on the queue (docs/queue.md): who (the admin key's name), what, on which
     * messages, how many matched and how many the broker touched. Suspend and resume say 0 and 0.
     */
    public void queueOperation(String operator, String operation, String filter, long matched, long touched,
                               boolean dryRun) {
        count("mailroute.queue.operations", "operation", operation);
        EVENTS.info("event=queue-operation operator={} operation={} filter=\"{}\" matched={} touched={} dryRun={}",
                LogText.oneLine(operator, 64), operation, LogText.oneLine(filter, 500), matched, touched, dryRun);
    }

    /** Messages this instance delivered per minute, over the last minute (the operator's overview). */
    public double deliveredPerMinute() {
        return deliveryRate.perMinute();
    }

    public void delivered(Exchange exchange) {
        delivered.incrementAndGet();
        Message in = exchange.getMessage();
        count("mailroute.messages.delivered", "transport", transport(exchange));
        count("mailroute.relay.attempts", "relay", relay(exchange), "outcome", "delivered");
        if (Boolean.TRUE.equals(in.getHeader("JMSRedelivered", Boolean.class))) {
            // the broker handed this message out before (a crash, a lost commit, a rollback): an
            // earlier attempt may have reached the relay too — at-least-once, counted
            count("mailroute.messages.redelivered", "transport", transport(exchange));
        }
        if ("smtp".equals(transport(exchange))) {
            reply(250); // the relay's answer to the end of the data
        }
        Long acceptedAt = in.getHeader(MessageHeaders.ACCEPTED_AT, Long.class);
        Long duration = acceptedAt == null ? null : System.currentTimeMillis() - acceptedAt;
        if (duration != null) {
            latency.record(Duration.ofMillis(Math.max(0, duration)));
        }
        log(exchange, "delivered", duration);
        if (in.getBody() instanceof QueuedMessage queued && queued.dsnDropped()) {
            EVENTS.info("event=dsn-not-offered id={} notify={} ret={} reason=\"the relay does not announce DSN; the"
                        + " message went without NOTIFY and RET\"", queued.id(), queued.dsn().notifyLine(),
                    queued.dsn().retLine());
        }
    }

    /** Some or all recipients deferred: the message is scheduled again. */
    public void deferred(Exchange exchange, int replyCode) {
        retried.incrementAndGet();
        count("mailroute.messages.retried", "transport", transport(exchange));
        count("mailroute.relay.attempts", "relay", relay(exchange), "outcome", "deferred");
        reply(replyCode);
        log(exchange, "deferred", null, replyCode);
    }

    /** Some or all recipients parked in failed/. */
    public void failed(Exchange exchange, int replyCode, String kind) {
        failed.incrementAndGet();
        count("mailroute.messages.failed", "transport", transport(exchange), "kind", kind);
        count("mailroute.relay.attempts", "relay", relay(exchange), "outcome", "failed");
        reply(replyCode);
        log(exchange, "failed", null, replyCode);
    }

    /** The relay refused mailroute (authentication): the message stays queued. */
    public void held(Exchange exchange, int replyCode) {
        reply(replyCode);
        log(exchange, "held", null, replyCode);
    }

    /**
     * A delivery status report ({@code kind} failure or delay) about message {@code id}: queued as
     * {@code reportId}, or not sent for {@code skipped} (null-sender, report, auto-submitted,
     * notify, domain, rate, disabled, ...).
     */
    public void report(String kind, String id, String reportId, String skipped) {
        count("mailroute.reports", "kind", kind, "outcome", skipped == null ? "queued" : "skipped", "reason",
                skipped == null ? "-" : skipped);
        if (skipped == null) {
            EVENTS.info("event=report kind={} id={} report={}", kind, id, reportId);
        } else {
            EVENTS.info("event=report-skipped kind={} id={} reason={}", kind, id, skipped);
        }
    }

    private void reply(int replyCode) {
        if (replyCode > 0) {
            count("mailroute.smtp.replies", "code", Integer.toString(replyCode));
        }
    }

    /** Registers a counter the first time its name and tags occur; every later event only looks it up here. */
    /** Exchange property: the relay a deliver route delivers through (routes/deliver.yaml sets it). */
    public static final String RELAY = "mailrouteRelay";

    /** The relay of this delivery: the route's, which names only relays of the configuration. */
    private static String relay(Exchange exchange) {
        String relay = exchange.getProperty(RELAY, String.class);
        return relay == null ? "default" : relay;
    }

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
                in.getHeader(MessageHeaders.ID, "-", String.class), ingress(exchange), transport(exchange),
                in.getHeader(MessageHeaders.ATTEMPTS, 0, Integer.class), replyCode > 0 ? replyCode : "-",
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

    /** Before accept, the ingress's hand-over says it; after, the queue contract does. */
    private static String ingress(Exchange exchange) {
        String given = exchange.getProperty(Handover.INGRESS, String.class);
        return given != null ? given : exchange.getMessage().getHeader(MessageHeaders.INGRESS, "-", String.class);
    }

    private static String transport(Exchange exchange) {
        Object transport = exchange.getProperty(TRANSPORT);
        return transport == null ? "-" : transport.toString();
    }

}
