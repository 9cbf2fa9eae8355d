package dev.mailroute.queue;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Route;
import org.apache.camel.component.jms.JmsConsumer;
import org.apache.camel.impl.event.CamelContextStoppingEvent;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.EventNotifier;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.ShutdownStrategy;
import org.apache.camel.support.RoutePolicySupport;
import org.apache.camel.support.SimpleEventNotifierSupport;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jms.listener.AbstractMessageListenerContainer;
import org.springframework.jms.listener.DefaultMessageListenerContainer;

/**
 * Whether the delivering routes take messages off their queues. Two parties pause them: a relay's
 * circuit breaker while that relay is down (only the routes of that relay: one relay down never
 * stops the others), and an operator ({@code POST /api/v1/admin/delivery/suspend}, every route).
 * A route runs only while neither does — so the circuit closing again never resumes what an
 * operator suspended, and an operator's resume leaves a circuit that is still open in charge.
 * Acceptance is never paused: messages keep queueing.
 *
 * <p>The switches run one after the other on a thread of their own: suspending a consumer waits for
 * its deliveries in flight, which a delivering thread (where the circuit learns of a failure) must
 * not wait for, and two switches must not overtake each other.
 */
public final class DeliverySwitch {

    private static final Logger LOG = LoggerFactory.getLogger(DeliverySwitch.class);
    /** What the router's route is held as: no relay is named so (a relay's name is letters and digits). */
    private static final String ROUTING = "(routing)";
    /**
     * How long a suspend waits for the consumers' receives in progress to end: a receive waits up to
     * Camel's receiveTimeout (1 s) and the delivery in hand after it may take an SMTP transaction.
     */
    private static final long IDLE_WAIT_MILLIS = 30_000;

    /** Each delivering route, and the relay whose circuit pauses it. */
    private final Map<Route, String> routes = new ConcurrentHashMap<>();
    private final ExecutorService switches;
    /** The relays whose circuit is open. */
    private final Set<String> circuitPaused = new HashSet<>();
    private boolean operatorSuspended;
    /** The context is stopping: the delivering routes are drained and nothing resumes them. */
    private volatile boolean stopping;
    /** The relays an operator suspended on their own ({@code ?relay=}). */
    private final Set<String> operatorSuspendedRelays = new HashSet<>();

    public DeliverySwitch(CamelContext context) {
        // Camel shuts its managed pools down with the context
        this.switches = context.getExecutorServiceManager().newSingleThreadExecutor(this, "delivery-switch");
    }

    /** A route that takes messages off the queue for delivery through this relay (its circuit is the route's policy). */
    public void add(String relay, Route route) {
        routes.put(route, relay);
    }

    /**
     * A delivery route has started — at start, or again after a route reload, which stops and
     * starts every route: its consumer starts running, so while delivery is paused it is paused
     * again (without this, a reload ended an operator's suspension).
     */
    public synchronized void started(Route route) {
        if (!circuitPaused.isEmpty() || operatorSuspended || !operatorSuspendedRelays.isEmpty()) {
            apply(false);
        }
    }

    public void remove(Route route) {
        routes.remove(route);
    }

    /** A relay's circuit opened (true) or let deliveries through again (false). Does not wait. */
    public synchronized void circuitPaused(String relay, boolean paused) {
        if (paused) {
            circuitPaused.add(relay);
        } else {
            circuitPaused.remove(relay);
        }
        if (!paused && (operatorSuspended || operatorSuspendedRelays.contains(relay))) {
            LOG.info("delivery stays suspended: the relay circuit lets deliveries through again, but an operator"
                     + " suspended delivery (POST /api/v1/admin/delivery/resume resumes it)");
        }
        apply(false);
    }

    /**
     * An operator suspends (true) or resumes (false) delivery through every relay; waits, up to
     * {@code waitMillis}, until the routes are switched, so that a message accepted after a
     * suspend's answer is not delivered. A resume ends the suspensions of single relays too.
     */
    public void operatorSuspended(boolean suspended, long waitMillis) {
        operatorSuspended(null, suspended, waitMillis);
    }

    /**
     * As {@link #operatorSuspended(boolean, long)}, for one relay when {@code relay} is not null: the
     * others go on (a relay that must not get mail for a while, a mailbox locked out).
     */
    public void operatorSuspended(String relay, boolean suspended, long waitMillis) {
        Future<?> switched;
        synchronized (this) {
            if (relay == null) {
                operatorSuspended = suspended;
                if (!suspended && !operatorSuspendedRelays.isEmpty()) {
                    LOG.info("delivery resumed by an operator through every relay, those suspended on their own too: {}",
                            String.join(", ", operatorSuspendedRelays));
                    operatorSuspendedRelays.clear();
                }
            } else if (suspended) {
                operatorSuspendedRelays.add(relay);
            } else {
                operatorSuspendedRelays.remove(relay);
            }
            if (!suspended && !circuitPaused.isEmpty()) {
                LOG.info("delivery resumed by an operator stays paused through the relays whose circuit is open: {}",
                        String.join(", ", circuitPaused));
            }
            switched = apply(true);
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

    /** Whether an operator suspended delivery through this relay: all of it, or this relay alone. */
    public synchronized boolean operatorSuspended(String relay) {
        return operatorSuspended || operatorSuspendedRelays.contains(relay);
    }

    /**
     * The route policy of a route that takes messages off a queue without delivering them (the
     * router on mail.outbound, with a routing file): an operator's suspension of all delivery
     * pauses it, no relay's circuit or suspension does.
     */
    public RoutePolicy routing() {
        return new RoutePolicySupport() {
            @Override
            public void onInit(Route route) {
                add(ROUTING, route);
            }

            @Override
            public void onStart(Route route) {
                started(route);
            }

            @Override
            public void onRemove(Route route) {
                remove(route);
            }
        };
    }

    /**
     * Switches every route as the pauses say, on the switch thread. {@code awaitIdle}: an operator's
     * suspend also waits for the suspended consumers' receives to end (a circuit's pause does not:
     * its switch must not wait behind a delivery that is timing out against the relay that is down).
     */
    private Future<?> apply(boolean awaitIdle) {
        if (stopping) {
            return CompletableFuture.completedFuture(null);
        }
        Set<String> paused = new HashSet<>(circuitPaused);
        paused.addAll(operatorSuspendedRelays);
        boolean suspended = operatorSuspended;
        return switches.submit(() -> {
            Set<Consumer> stopped = new HashSet<>();
            for (Map.Entry<Route, String> entry : routes.entrySet()) {
                Route route = entry.getKey();
                boolean run = !suspended && !paused.contains(entry.getValue());
                try {
                    // a switch still in progress when the stop begins leaves the drain's setting
                    if (run) {
                        acceptWhileStopping(route.getConsumer(), stopping);
                        ServiceHelper.resumeService(route.getConsumer());
                    } else {
                        acceptWhileStopping(route.getConsumer(), awaitIdle || stopping);
                        ServiceHelper.suspendService(route.getConsumer());
                        stopped.add(route.getConsumer());
                    }
                } catch (Exception e) {
                    LOG.error("could not {} route {}: {}", run ? "resume" : "suspend", route.getRouteId(),
                            e.getMessage(), e);
                }
            }
            if (awaitIdle) {
                awaitIdle(stopped, IDLE_WAIT_MILLIS);
            }
        });
    }

    /**
     * Drains the delivering routes when the context begins to stop, before Camel stops any route:
     * each stops taking messages off its queue, and what its threads take meanwhile is delivered
     * while the routes it goes through are still up. Left to Camel's shutdown, a thread whose
     * receive returned a message during the stop gave it back (the broker then held it for the
     * retry's first delay, 30 s, as if an attempt had failed: the instance taking over from a stopped
     * one got its first messages 30 s late), and processing it instead ran it into routes already
     * stopped. Waits at most the context's shutdown timeout (Camel's stop may then wait as long
     * again for what is still in flight); other queues' consumers (mail.submit, the webhook
     * outboxes) stop as Camel stops them, and give back what they take meanwhile.
     */
    public EventNotifier drainWhenStopping() {
        return new SimpleEventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                ShutdownStrategy shutdown = ((CamelContextStoppingEvent) event).getContext().getShutdownStrategy();
                drain(shutdown.getTimeUnit().toMillis(shutdown.getTimeout()));
            }

            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelContextStoppingEvent;
            }
        };
    }

    private void drain(long waitMillis) {
        Future<?> drained;
        synchronized (this) {
            stopping = true;
            // at once, not behind a switch still in progress on the switch thread: what a delivering
            // consumer takes from now on is delivered, whoever stops it
            for (Route route : routes.keySet()) {
                try {
                    acceptWhileStopping(route.getConsumer(), true);
                } catch (Exception e) {
                    LOG.warn("stopping: route {} may give back a message it takes now: {}", route.getRouteId(),
                            e.getMessage());
                }
            }
            drained = switches.submit(() -> {
                Set<Consumer> stopped = new HashSet<>();
                for (Route route : routes.keySet()) {
                    Consumer consumer = route.getConsumer();
                    if (!ServiceHelper.isStarted(consumer) && !ServiceHelper.isSuspended(consumer)) {
                        continue;
                    }
                    try {
                        acceptWhileStopping(consumer, true);
                        ServiceHelper.suspendService(consumer);
                        stopped.add(consumer);
                    } catch (Exception e) {
                        LOG.warn("stopping: could not stop route {} taking messages: {}", route.getRouteId(),
                                e.getMessage());
                    }
                }
                if (!awaitIdle(stopped, waitMillis)) {
                    LOG.warn("stopping: the delivering routes have deliveries in flight after {} ms; Camel's stop"
                             + " goes on and gives what it cuts short back to the broker", waitMillis);
                }
            });
        }
        try {
            drained.get(waitMillis + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("stopping: the delivering routes could not be drained within {} ms: {}", waitMillis,
                    e.toString());
        }
    }

    /**
     * What a consumer's thread does with a message its receive returns while the consumer is being
     * suspended: deliver it (true) or give it back, and the broker holds it for the redelivery delay
     * (the retry's first delay) as if an attempt had failed. An operator's suspend and the drain at a
     * stop deliver it, and wait until that is done ({@link #awaitIdle}); a pause that does not wait
     * (a circuit opening, a suspension applied again after the route started) gives it back, so that
     * nothing is delivered once the route shows suspended. Resumed, a consumer gives such a message
     * back again (Spring's default), which is what a route stopped by a reload needs: the routes it
     * goes through may stop before it.
     */
    private static void acceptWhileStopping(Consumer consumer, boolean accept) throws Exception {
        // a stopped JmsConsumer has no container, and asking for one would make one
        if (consumer instanceof JmsConsumer jms && (jms.isStarted() || jms.isSuspended())) {
            jms.getListenerContainer().setAcceptMessagesWhileStopping(accept);
        }
    }

    /**
     * Waits until the suspended consumers' threads have all left their receive. A suspended JMS
     * consumer's container stops, but a thread already in its receive can still take a message that
     * arrives then (and delivers it, {@link #acceptWhileStopping}): until it has, that message is in
     * its hands and an operator's hold or delete right after the suspend missed it.
     * Spring counts a thread as active until it waits for the restart. Whether all had by the deadline.
     */
    private static boolean awaitIdle(Set<Consumer> stopped, long waitMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        boolean idle = true;
        for (Consumer consumer : stopped) {
            if (!(consumer instanceof JmsConsumer jms)) {
                continue;
            }
            try {
                AbstractMessageListenerContainer container = jms.getListenerContainer();
                if (!(container instanceof DefaultMessageListenerContainer threads)) {
                    continue;
                }
                while (threads.getActiveConsumerCount() > 0 && !threads.isRunning()
                       && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                idle &= threads.getActiveConsumerCount() == 0 || threads.isRunning();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (Exception e) {
                LOG.warn("delivery suspended: could not learn whether {} is idle: {}", consumer, e.getMessage());
            }
        }
        return idle;
    }
}
