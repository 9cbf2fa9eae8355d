package dev.mailroute.queue;

import java.nio.file.Path;
import java.util.List;

import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The default queue: an ActiveMQ Artemis broker inside the gateway's JVM, with a persistent
 * journal under the data folder, so a first run needs nothing installed and accepted mail
 * survives a crash. Routes reach it in-VM; local applications over TCP on
 * {@code mailroute.broker.host:port}.
 */
public final class EmbeddedBroker extends ServiceSupport {

    public static final String IN_VM_URL = "vm://0";

    /** The queues mailroute uses; declared up front so they exist before the first message. */
    public static final List<String> QUEUES = List.of("mail.outbound", "mail.submit", "mail.rejected", "mail.failed");

    /** Named so the broker has one, though with unlimited delivery attempts nothing is ever sent there by it. */
    private static final String DEAD_LETTERS = "mail.failed";

    private static final int JOURNAL_BUFFER_TIMEOUT_NANOS = 500_000;

    /** Attempts at taking one message off mail.submit before the broker moves it to mail.rejected. */
    private static final int SUBMIT_ATTEMPTS = 10;

    private final Path dir;
    private final String host;
    private final int port;
    private final RedeliveryPolicy redelivery;
    private EmbeddedActiveMQ server;

    /** Broker-side redelivery after a rolled-back delivery attempt. */
    public record RedeliveryPolicy(long initialDelayMillis, double multiplier, long maxDelayMillis) {
    }

    public EmbeddedBroker(Path dir, String host, int port, RedeliveryPolicy redelivery) {
        this.dir = dir;
        this.host = host;
        this.port = port;
        this.redelivery = redelivery;
    }

    @Override
    protected void doStart() throws Exception {
        ConfigurationImpl config = new ConfigurationImpl();
        config.setName("mailroute");
        config.setPersistenceEnabled(true);
        config.setSecurityEnabled(false);
        config.setJMXManagementEnabled(false);
        // NIO works everywhere; the native AIO journal needs libaio and prints warnings without it
        config.setJournalType(JournalType.NIO);
        // Artemis gathers the writes that arrive within this window into one fsync. The default
        // (3.3 ms) caps a sender that waits for each durable send at ~300 msg/s; an fsync takes
        // ~0.4 ms on the machines measured, so a 0.5 ms window keeps the disk busy without that cap.
        // Every accepted message is still synced before it is acknowledged.
        config.setJournalBufferTimeout_NIO(JOURNAL_BUFFER_TIMEOUT_NANOS);
        config.setJournalDirectory(dir.resolve("journal").toString());
        config.setBindingsDirectory(dir.resolve("bindings").toString());
        config.setLargeMessagesDirectory(dir.resolve("large-messages").toString());
        config.setPagingDirectory(dir.resolve("paging").toString());
        config.setNodeManagerLockDirectory(dir.toString());
        config.addAcceptorConfiguration("in-vm", IN_VM_URL);
        config.addAcceptorConfiguration("tcp", "tcp://" + host + ":" + port);

        AddressSettings mail = redelivery()
                // never drop or dead-letter on our own: mailroute decides when a message is failed
                .setMaxDeliveryAttempts(-1)
                .setDeadLetterAddress(SimpleString.of(DEAD_LETTERS))
                .setExpiryAddress(SimpleString.of(DEAD_LETTERS))
                .setAutoCreateQueues(true)
                .setAutoCreateAddresses(true);
        config.addAddressSetting("mail.#", mail);
        // a submission that keeps failing for a reason other than bad input must not loop forever
        config.addAddressSetting("mail.submit", redelivery()
                .setMaxDeliveryAttempts(SUBMIT_ATTEMPTS)
                .setDeadLetterAddress(SimpleString.of("mail.rejected")));
        for (String queue : QUEUES) {
            config.addQueueConfiguration(QueueConfiguration.of(queue).setAddress(queue)
                    .setRoutingType(RoutingType.ANYCAST).setDurable(true));
        }

        server = new EmbeddedActiveMQ();
        server.setConfiguration(config);
        try {
            server.start();
        } catch (Exception e) {
            // Artemis threads are not daemons: a half-started broker would keep the JVM alive
            stopQuietly();
            throw e;
        }
    }

    /** The wait before a rolled-back message is offered again. */
    private AddressSettings redelivery() {
        return new AddressSettings()
                .setRedeliveryDelay(redelivery.initialDelayMillis())
                .setRedeliveryMultiplier(redelivery.multiplier())
                .setMaxRedeliveryDelay(redelivery.maxDelayMillis());
    }

    /** Messages on the queue now, scheduled ones (waiting for a retry) included. */
    public long messageCount(String queue) {
        return server.getActiveMQServer().locateQueue(SimpleString.of(queue)).getMessageCount();
    }

    /** Messages on the queue that wait for their delivery time (retries). */
    public long scheduledCount(String queue) {
        return server.getActiveMQServer().locateQueue(SimpleString.of(queue)).getScheduledCount();
    }

    /** Offers the messages waiting for their retry time now, as Postfix's {@code postqueue -f} does. */
    public void flush(String queue) throws ActiveMQException {
        server.getActiveMQServer().locateQueue(SimpleString.of(queue)).deliverScheduledMessages();
    }

    /** The running broker itself, for tests that watch it from the inside. */
    ActiveMQServer server() {
        return server.getActiveMQServer();
    }

    @Override
    protected void doStop() throws Exception {
        stopQuietly();
    }

    private void stopQuietly() {
        if (server != null) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // stopping is best effort; the journal is consistent after every sync
            }
            server = null;
        }
    }
}
