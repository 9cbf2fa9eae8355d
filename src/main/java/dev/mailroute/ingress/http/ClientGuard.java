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
 * Keeps slow or greedy HTTP clients from holding the server: at most
 * {@code mailroute.http.maxConnectionsPerClient} connections per client address, and every
 * request must arrive completely within {@code mailroute.http.requestTimeout} — from the moment a
 * connection opens, or the previous answer was sent, to the end of the request's body. A client
 * that drips one byte a second never goes idle, so an idle timeout alone does not end it (the
 * "slowloris" attack); this deadline does.
 */
final class ClientGuard {

    private static final Logger LOG = LoggerFactory.getLogger(ClientGuard.class);

    private final Vertx vertx;
    private final long requestTimeoutMillis;
    private final int maxConnectionsPerClient;
    private final Map<String, AtomicInteger> connections = new ConcurrentHashMap<>();
    private final Map<HttpConnection, Long> deadlines = new ConcurrentHashMap<>();

    ClientGuard(Vertx vertx, long requestTimeoutMillis, int maxConnectionsPerClient) {
        this.vertx = vertx;
        this.requestTimeoutMillis = requestTimeoutMillis;
        this.maxConnectionsPerClient = maxConnectionsPerClient;
    }

    /** A new connection: counted against its client, and given until the deadline to send a request. */
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
        armDeadline(connection);
    }

    /** The first handler of every request: the deadline runs until its answer is sent. */
    void request(RoutingContext context) {
        HttpConnection connection = context.request().connection();
        context.addEndHandler(done -> armDeadline(connection));
        context.next();
    }

    private void armDeadline(HttpConnection connection) {
        cancel(connection);
        long timer = vertx.setTimer(requestTimeoutMillis, id -> {
            if (deadlines.remove(connection, id)) {
                LOG.info("closed a connection from {}: no complete request within {} ms (mailroute.http.requestTimeout)",
                        connection.remoteAddress(), requestTimeoutMillis);
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
