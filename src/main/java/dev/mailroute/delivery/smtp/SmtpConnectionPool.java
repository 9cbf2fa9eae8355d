package dev.mailroute.delivery.smtp;

import java.time.Duration;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Live SMTP sessions to the relay (commons-pool2), so that connect, greeting, EHLO, STARTTLS and
 * AUTH are paid once per connection instead of once per message. A connection is checked with
 * RSET before it is lent again (a dead one is replaced transparently), retired after
 * {@code maxMessagesPerConnection} messages, and closed after {@code idleTimeout} unused.
 */
final class SmtpConnectionPool implements AutoCloseable {

    /** One live session and how many messages it has carried. */
    static final class Connection {
        final SMTPTransport transport;
        int messages;

        Connection(SMTPTransport transport) {
            this.transport = transport;
        }
    }

    private final GenericObjectPool<Connection> pool;
    private final int maxMessagesPerConnection;

    SmtpConnectionPool(Session session, SmtpSettings settings, RelayCredentials credentials, PoolSettings poolSettings) {
        this.maxMessagesPerConnection = poolSettings.maxMessagesPerConnection();
        GenericObjectPoolConfig<Connection> config = new GenericObjectPoolConfig<>();
        config.setMaxTotal(poolSettings.connections());
        config.setMaxIdle(poolSettings.connections());
        config.setMinIdle(0);
        config.setBlockWhenExhausted(true);
        config.setMaxWait(Duration.ofMillis(Math.max(settings.timeoutMillis(), 1000)));
        config.setTestOnBorrow(true);
        config.setLifo(true); // keep using the warmest connections; let the others idle out
        config.setMinEvictableIdleDuration(Duration.ofMillis(poolSettings.idleTimeoutMillis()));
        config.setTimeBetweenEvictionRuns(Duration.ofMillis(Math.max(1000, poolSettings.idleTimeoutMillis() / 2)));
        config.setJmxEnabled(false);
        this.pool = new GenericObjectPool<>(new Factory(session, settings, credentials), config);
    }

    /** Borrows a connection, lets the caller send on it, and returns or retires it depending on how that went. */
    void send(Sending sending) throws MessagingException {
        Connection connection;
        try {
            connection = pool.borrowObject();
        } catch (MessagingException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new MessagingException("cannot get a connection to the relay: " + e.getMessage(), e);
        }
        boolean keep = false;
        try {
            sending.on(connection.transport);
            connection.messages++;
            keep = connection.messages < maxMessagesPerConnection;
        } catch (MessagingException e) {
            // a refusal (RCPT, MAIL, DATA) leaves the session usable; a broken one fails its RSET on the next borrow
            keep = connection.messages + 1 < maxMessagesPerConnection && connection.transport.isConnected();
            connection.messages++;
            throw e;
        } finally {
            if (keep) {
                pool.returnObject(connection);
            } else {
                invalidate(connection);
            }
        }
    }

    private void invalidate(Connection connection) {
        try {
            pool.invalidateObject(connection);
        } catch (Exception e) {
            // it is closed either way
        }
    }

    int idle() {
        return pool.getNumIdle();
    }

    int active() {
        return pool.getNumActive();
    }

    long created() {
        return pool.getCreatedCount();
    }

    /** Sessions made and not yet closed: an evicted one counts until its QUIT is done. */
    long open() {
        return pool.getCreatedCount() - pool.getDestroyedCount();
    }

    @Override
    public void close() {
        pool.close();
    }

    @FunctionalInterface
    interface Sending {
        void on(Transport transport) throws MessagingException;
    }

    private static final class Factory extends BasePooledObjectFactory<Connection> {

        private final Session session;
        private final SmtpSettings settings;
        private final RelayCredentials credentials;

        Factory(Session session, SmtpSettings settings, RelayCredentials credentials) {
            this.session = session;
            this.settings = settings;
            this.credentials = credentials;
        }

        @Override
        public Connection create() throws MessagingException {
            return new Connection(settings.connect(session, credentials));
        }

        @Override
        public PooledObject<Connection> wrap(Connection connection) {
            return new DefaultPooledObject<>(connection);
        }

        /** A fresh connection is fine; a used one must answer RSET, which also ends any half-done transaction. */
        @Override
        public boolean validateObject(PooledObject<Connection> pooled) {
            Connection connection = pooled.getObject();
            if (connection.messages == 0) {
                return true;
            }
            try {
                return connection.transport.simpleCommand("RSET") == 250;
            } catch (MessagingException | RuntimeException e) {
                return false;
            }
        }

        @Override
        public void destroyObject(PooledObject<Connection> pooled) {
            try {
                pooled.getObject().transport.close();
            } catch (MessagingException | RuntimeException e) {
                // going away anyway
            }
        }
    }
}
