package dev.mailroute.delivery.smtp;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.mailroute.queue.DeliverySwitch;
import jakarta.mail.MessagingException;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.support.RoutePolicySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The circuit breaker in front of the SMTP relay.
 *
 * <ul>
 * <li>CLOSED: deliver as usual; count consecutive connection-level failures.</li>
 * <li>OPEN: after {@code mailroute.circuit.failures} of them in a row, or at once when the relay
 *     refuses mailroute's credentials: stop taking messages off the queue (they stay queued) — or,
 *     with {@code mailroute.smtp.fallback=pickup} and a relay that is only down, deliver into the
 *     pickup folder instead — and probe the relay every {@code mailroute.circuit.probeInterval}.</li>
 * <li>HALF_OPEN: a probe got through; deliveries go to the relay again, the first success closes
 *     the circuit, the first connection failure opens it again.</li>
 * </ul>
 * Each change of state is logged; {@code TransportHealthCheck} reports anything but CLOSED as DOWN in
 * {@code /observe/health} — not in readiness: a relay that is down is a reason to queue.
 *
 * <p>The routes it pauses are those that name it as their route policy ({@code routePolicy:
 * "#relayCircuit"} in {@code routes/deliver.yaml}), whatever their id: an operator may rename or
 * copy the route file without the circuit losing track of it. It pauses them through the
 * {@link DeliverySwitch}, which an operator's suspension also holds: a circuit that closes again does
 * not resume what an operator suspended.
 */
public final class RelayCircuit extends RoutePolicySupport {

    public enum State {
        CLOSED, OPEN, HALF_OPEN
    }

    private static final Logger LOG = LoggerFactory.getLogger(RelayCircuit.class);

    /** The routes that take messages off the queue for this relay: the ones paused while the circuit is open. */
    private final DeliverySwitch routes;
    private final String name;
    private final String label;
    private final boolean fallbackToPickup;
    private final int threshold;
    private final long probeIntervalMillis;
    private final SmtpMailSender relay;
    private final ScheduledExecutorService probes;

    private State state = State.CLOSED;
    private boolean configurationProblem;
    private int consecutiveFailures;
    private String reason;

    /**
     * @param name the relay's name: the routes it pauses are that relay's, and its log lines say which relay
     * @param relay the relay's connections, for the probes; null for a pickup relay, whose circuit never opens
     */
    public RelayCircuit(CamelContext context, String name, CircuitSettings settings, SmtpMailSender relay,
                        DeliverySwitch routes) {
        this.name = name;
        // the relay named default keeps the words its log lines always had
        this.label = "default".equals(name) ? "relay" : "relay " + name;
        this.routes = routes;
        this.fallbackToPickup = settings.fallbackToPickup();
        this.threshold = settings.failures();
        this.probeIntervalMillis = settings.probeIntervalMillis();
        this.relay = relay;
        // Camel shuts its managed pools down with the context
        this.probes = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "relay-circuit-" + name);
    }

    @Override
    public void onInit(Route route) {
        routes.add(name, route);
    }

    /** A route started again (a route reload restarts every route) comes up paused if delivery is. */
    @Override
    public void onStart(Route route) {
        routes.started(route);
    }

    @Override
    public void onRemove(Route route) {
        routes.remove(route);
    }

    /** True while the relay is down and {@code mailroute.smtp.fallback=pickup}: deliver into the pickup folder. */
    public synchronized boolean pickupInstead() {
        return state == State.OPEN && fallbackToPickup && !configurationProblem;
    }

    public synchronized State state() {
        return state;
    }

    /** Why the circuit is not closed, or null. */
    public synchronized String reason() {
        return state == State.CLOSED ? null : reason;
    }

    public synchronized boolean configurationProblem() {
        return state != State.CLOSED && configurationProblem;
    }

    /** The relay was reached (a delivery, even a partly refused one, went through). */
    public synchronized void reachable() {
        consecutiveFailures = 0;
        if (state == State.HALF_OPEN) {
            state = State.CLOSED;
            LOG.info("{} circuit CLOSED: the relay accepts mail again; delivering as usual", label);
        }
    }

    public synchronized void connectionFailed(String why) {
        consecutiveFailures++;
        if (state == State.HALF_OPEN || (state == State.CLOSED && consecutiveFailures >= threshold)) {
            open(why, false);
        }
    }

    /** The relay refused mailroute itself: retrying cannot help until someone fixes the configuration. */
    public synchronized void configurationRefused(String why) {
        if (state != State.OPEN) {
            open(why, true);
        }
    }

    private void open(String why, boolean configuration) {
        State before = state;
        state = State.OPEN;
        reason = why;
        configurationProblem = configuration;
        boolean fallback = fallbackToPickup && !configuration;
        if (configuration) {
            LOG.error("{} circuit OPEN (was {}): {}. Delivery is stopped and every message stays queued until"
                      + " the relay accepts mailroute's credentials: {}. Probing every {} ms.", label,
                    before, why, relay.credentials().fix(), probeIntervalMillis);
        } else {
            LOG.warn("{} circuit OPEN (was {}) after {} connection failure(s): {}. {} Probing every {} ms.", label,
                    before, consecutiveFailures, why,
                    fallback ? "Delivering into the pickup folder meanwhile."
                            : "Messages stay queued; delivery is paused.", probeIntervalMillis);
        }
        if (!fallback) {
            onConsumer(false);
        }
        probes.schedule(this::probe, probeIntervalMillis, TimeUnit.MILLISECONDS);
    }

    private void probe() {
        try {
            relay.probe();
        } catch (MessagingException | RuntimeException e) {
            synchronized (this) {
                if (configurationProblem) {
                    LOG.error("{} circuit still OPEN: the relay still refuses mailroute: {}", label, e.getMessage());
                } else {
                    LOG.warn("{} circuit still OPEN: {}", label, e.getMessage());
                }
                probes.schedule(this::probe, probeIntervalMillis, TimeUnit.MILLISECONDS);
            }
            return;
        }
        synchronized (this) {
            state = State.HALF_OPEN;
            consecutiveFailures = 0;
            LOG.info("{} circuit HALF_OPEN: a probe got through; trying deliveries again", label);
            onConsumer(true);
        }
    }

    /** Suspends or resumes taking messages off the queue (the switch does it on a thread of its own). */
    private void onConsumer(boolean resume) {
        routes.circuitPaused(name, !resume);
    }
}
