package dev.mailroute.queue;

import java.util.concurrent.TimeUnit;

import org.apache.activemq.artemis.api.core.ActiveMQRemoteDisconnectException;
import org.apache.activemq.artemis.core.remoting.impl.invm.InVMConnection;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.plugin.ActiveMQServerConnectionPlugin;
import org.apache.activemq.artemis.spi.core.protocol.RemotingConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a network connection to the embedded broker that has not logged in within
 * {@code mailroute.broker.handshakeTimeout} of its first bytes.
 *
 * <p>Artemis' own {@code handshake-timeout} only covers the wait for those first bytes: once eight
 * have come, whatever they are, it takes the connection for a Core client and stops counting. A
 * Core connection is then held for as long as bytes keep coming (the connection TTL only notices
 * silence, and a client can switch it off in a ping before logging in). Artemis has no deadline for
 * the login itself; this is it. Connections inside the JVM (mailroute's own) are not watched.
 */
final class LoginDeadline implements ActiveMQServerConnectionPlugin {

    private static final Logger LOG = LoggerFactory.getLogger(LoginDeadline.class);

    private final long timeoutMillis;
    private volatile ActiveMQServer server;

    LoginDeadline(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void registered(ActiveMQServer server) {
        this.server = server;
    }

    @Override
    public void afterCreateConnection(RemotingConnection connection) {
        if (connection.getTransportConnection() instanceof InVMConnection) {
            return;
        }
        server.getScheduledPool().schedule(() -> closeUnlessLoggedIn(connection), timeoutMillis,
                TimeUnit.MILLISECONDS);
    }

    private void closeUnlessLoggedIn(RemotingConnection connection) {
        if (connection.isDestroyed() || loggedIn(connection)) {
            return;
        }
        LOG.warn("broker: closed the connection from {}: it did not log in within {} ms"
                 + " (mailroute.broker.handshakeTimeout)", connection.getRemoteAddress(), timeoutMillis);
        server.getRemotingService().removeConnection(connection.getID());
        connection.fail(new ActiveMQRemoteDisconnectException("did not log in within " + timeoutMillis
                                                              + " ms (mailroute.broker.handshakeTimeout)"));
    }

    /**
     * Authenticated on this connection, or carrying a session: a client that reattached its
     * sessions after a network failure logged in on the connection it had before.
     */
    private boolean loggedIn(RemotingConnection connection) {
        return connection.getSubject() != null || !server.getSessions(connection.getID().toString()).isEmpty();
    }
}
