package dev.mailroute.queue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the delivering routes take messages off mail.outbound. Two parties pause them: the relay's
 * circuit breaker while the relay is down, and an operator ({@code POST /api/v1/admin/delivery/suspend}).
 * The routes run only while neither does — so the circuit closing again never resumes what an
 * operator suspended, and an operator's resume leaves a circuit that is still open in charge.
 * Acceptance is never paused: messages keep queueing.
 *
 * <p>The switches run one after the other on a thread of their own: suspending a consumer waits for
 * its deliveries in flight, which a delivering thread (where the circuit learns of a failure) must
 * not wait for, and two switches must not overtake each other.
 */
public final class DeliverySwitch {

    private static final Logger LOG = LoggerFactory.getLogger(DeliverySwitch.class);

    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private final ExecutorService switches;
    private boolean circuitPaused;
    private boolean operatorSuspended;

    public DeliverySwitch(CamelContext context) {
        // Camel shuts its managed pools down with the context
        this.switches = context.getExecutorServiceManager().newSingleThreadExecutor(this, "delivery-switch");
    }

    /** A route that takes messages off the queue for delivery (the circuit's route policy names them). */
    public void add(Route route) {
        routes.add(route);
    }

    /**
     * A delivery route has started — at start, or again after a route reload, which stops and
     * starts every route: its consumer starts running, so while delivery is paused it is paused
     * again (without this, a reload ended an operator's suspension).
     */
    public synchronized void started(Route route) {
        if (circuitPaused || operatorSuspended) {
            apply();
        }
    }

    public void remove(Route route) {
        routes.remove(route);
    }

    /** The relay's circuit opened (true) or let deliveries through again (false). Does not wait. */
    public synchronized void circuitPaused(boolean paused) {
        circuitPaused = paused;
        if (!paused && operatorSuspended) {
            LOG.info("delivery stays suspended: the relay circuit lets deliveries through again, but an operator"
                     + " suspended delivery (POST /api/v1/admin/delivery/resume resumes it)");
        }
        apply();
    }

    /**
     * An operator suspends (true) or resumes (false) delivery; waits, up to {@code waitMillis}, until
     * the routes are switched, so that a message accepted after a suspend's answer is not delivered.
     */
    public void operatorSuspended(boolean suspended, long waitMillis) {
        Future<?> switched;
        synchronized (this) {
            operatorSuspended = suspended;
            if (!suspended && circuitPaused) {
                LOG.info("delivery resumed by an operator stays paused while the relay circuit is open");
            }
            switched = apply();
        }
        try {
            switched.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("delivery {} by an operator: the routes have not switched within {} ms (deliveries in flight"
                     + " finish first)", suspended ? "suspended" : "resumed", waitMillis);
        }
    }

    public synchronized boolean operatorSuspended() {
        return operatorSuspended;
    }

    private Future<?> apply() {
        boolean run = !circuitPaused && !operatorSuspended;
        return switches.submit(() -> {
            for (Route route : routes) {
                try {
                    if (run) {
                        ServiceHelper.resumeService(route.getConsumer());
                    } else {
                        ServiceHelper.suspendService(route.getConsumer());
                    }
                } catch (Exception e) {
                    LOG.error("could not {} route {}: {}", run ? "resume" : "suspend", route.getRouteId(),
                            e.getMessage(), e);
                }
            }
        });
    }
}
