package dev.mailroute.ingress.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps slow or greedy HTTP clients from holding the server, and times only what the client
 * does — never mailroute's own work on a request:
 *
 * <ul>
 * <li>at most {@code mailroute.http.maxConnectionsPerClient} connections per client address;</li>
 * <li>a connection must begin a request (its whole head) within {@code mailroute.http.idleTimeout}
 *     of opening, or of the previous answer;</li>
 * <li>a request's body must arrive within {@code mailroute.http.requestTimeout} of its head. A
 *     client that drips one byte a second never goes idle, so an idle timeout alone does not end it
 *     (the "slowloris" attack); this deadline does.</li>
 * </ul>
 * While a request is being handled nothing is timed: Vert.x' own idle timeout, which counts any
 * second without traffic, closed the connection of a 10,000-recipient merge request after 30 s
 * while mailroute was still queueing its messages (measured), so it is not used.
 */
final class ClientGuard {

    private static final Logger LOG = LoggerFactory.getLogger(ClientGuard.class);

    private final Vertx vertx;
    private final long idleTimeoutMillis;
    private final long requestTimeoutMillis;
    private final int maxConnectionsPerClient;
    private final Map<String, AtomicInteger> connections = new ConcurrentHashMap<>();
    private final Map<HttpConnection, Long> deadlines = new ConcurrentHashMap<>();

    ClientGuard(Vertx vertx, long idleTimeoutMillis, long requestTimeoutMillis, int maxConnectionsPerClient) {
        this.vertx = vertx;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.requestTimeoutMillis = requestTimeoutMillis;
        this.maxConnectionsPerClient = maxConnectionsPerClient;
    }

    /** A new connection: counted against its client, and given the idle timeout to begin a request. */
    void connected(HttpConnection connection) {
        String client = connection.remoteAddress() == null ? "?" : connection.remoteAddress().hostAddress();
        int open = connections.computeIfAbsent(client, c -> new AtomicInteger()).incrementAndGet();
        connection.closeHandler(closed -> {
            connections.computeIfPresent(client, (c, count) -> count.decrementAndGet() <= 0 ? null : count);
            cancel(connection);
        });
        if (open > maxConnectionsPerClient) {
            LOG.warn("closed a connection from {}: it already holds {} (mailroute.http.maxConnectionsPerClient)",
                    client, maxConnectionsPerClient);
            connection.close();
            return;
        }
        idle(connection);
    }

    /**
     * The first handler of every request (its head has arrived): the body has until the request
     * deadline; once it is in, nothing is timed until the answer is sent.
     */
    void request(RoutingContext context) {
        HttpConnection connection = context.request().connection();
        arm(connection, requestTimeoutMillis, "no complete request within " + requestTimeoutMillis
                                              + " ms of its head (mailroute.http.requestTimeout)");
        context.request().end().onComplete(arrived -> cancel(connection));
        context.addEndHandler(done -> idle(connection));
        context.next();
    }

    private void idle(HttpConnection connection) {
        arm(connection, idleTimeoutMillis, "no request begun within " + idleTimeoutMillis
                                           + " ms (mailroute.http.idleTimeout)");
    }

    private void arm(HttpConnection connection, long millis, String why) {
        cancel(connection);
        long timer = vertx.setTimer(millis, id -> {
            if (deadlines.remove(connection, id)) {
                LOG.info("closed a connection from {}: {}", connection.remoteAddress(), why);
                connection.close();
            }
        });
        deadlines.put(connection, timer);
    }

    private void cancel(HttpConnection connection) {
        Long timer = deadlines.remove(connection);
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
    }
}
