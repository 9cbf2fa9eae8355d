package dev.mailroute.config;

import java.util.ArrayDeque;
import java.util.Deque;

import org.apache.camel.Service;

/**
 * The services the wiring had to start before the Camel context starts (the embedded broker, the
 * idempotency keys file): the context stops them when it stops; this stops them, newest first,
 * when the start fails before the context could (Artemis' threads would keep the JVM alive).
 * Stopping a stopped service does nothing.
 */
final class Started {

    private final Deque<Service> services = new ArrayDeque<>();

    synchronized void start(Service service) throws Exception {
        service.start();
        services.push(service);
    }

    synchronized void stopAll() {
        while (!services.isEmpty()) {
            try {
                services.pop().stop();
            } catch (RuntimeException e) {
                // best effort: the next one must still stop
            }
        }
    }
}
