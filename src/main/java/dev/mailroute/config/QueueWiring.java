package dev.mailroute.config;

import dev.mailroute.delivery.RetryPolicy;
import dev.mailroute.queue.BrokerHealthCheck;
import dev.mailroute.queue.BrokerSettings;
import dev.mailroute.queue.CachingDestinationResolver;
import dev.mailroute.queue.EmbeddedBroker;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.spi.Registry;
import org.apache.camel.spring.spi.SpringTransactionPolicy;
import org.apache.camel.support.service.ServiceSupport;
import org.messaginghub.pooled.jms.JmsPoolConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jms.connection.JmsTransactionManager;

/**
 * The queue: the embedded broker (unless {@code mailroute.broker.url} names another), the pooled
 * JMS connections every route shares ({@code jms}), one JMS transaction for a whole HTTP batch
 * ({@code batchTransaction}), and the broker's health check. Binds {@link #BROKER_BEAN} when the
 * broker is embedded.
 */
final class QueueWiring {

    static final String BROKER_BEAN = "embeddedBroker";

    private static final Logger LOG = LoggerFactory.getLogger(QueueWiring.class);

    /** Smaller messages go into the broker's journal (10 MiB files), larger ones into files of their own. */
    private static final int LARGE_MESSAGE_BYTES = 1024 * 1024;

    /**
     * What the broker sends a consumer ahead of its receive (Artemis' default: 1 MiB). A delivery
     * consumer stuck in a slow SMTP transaction holds back no more than this, and the mail.submit
     * consumer, which Spring opens anew for every message, no longer has a megabyte of backlog
     * sent to it and taken back each time (about +40% there; no change for mail.outbound).
     */
    private static final int CONSUMER_WINDOW_BYTES = 64 * 1024;

    /** What the other stages need of the queue: the embedded broker, or null with an external one. */
    record Queue(EmbeddedBroker embeddedBroker) {
    }

    private QueueWiring() {
    }

    /** Starts the embedded broker at once (the routes need it before they start); {@code started} stops it. */
    static Queue wire(CamelContext context, BrokerSettings settings, RetryPolicy retry, Started started)
            throws Exception {
        Registry registry = context.getRegistry();
        EmbeddedBroker broker = null;
        ActiveMQConnectionFactory connectionFactory;
        if (settings.embedded()) {
            broker = new EmbeddedBroker(settings, new EmbeddedBroker.RedeliveryPolicy(retry.initialDelayMillis(),
                    retry.multiplier(), retry.maxDelayMillis()));
            started.start(broker);
            registry.bind(BROKER_BEAN, broker);
            context.addService(broker, true, false);
            connectionFactory = new ActiveMQConnectionFactory(broker.inVmUrl(), EmbeddedBroker.INTERNAL_USER,
                    broker.internalPassword().reveal());
            LOG.info("embedded broker: journal in {}, JMS clients on {}://{}:{} (login required)", settings.dir(),
                    settings.tls() ? "ssl" : "tcp", settings.host(), settings.port());
        } else {
            connectionFactory = new ActiveMQConnectionFactory(settings.url(), settings.username(),
                    settings.password() == null ? null : settings.password().reveal());
            LOG.info("external broker at {}", settings.url());
        }
        // a JMS ObjectMessage is Java deserialization of whatever a client sent: mailroute reads none
        connectionFactory.setDeserializationDenyList("*");
        // Artemis stores a message of 100 KiB or more as a file of its own (created, synced and
        // deleted per message); up to 1 MiB they go into the journal like any other message
        connectionFactory.setMinLargeMessageSize(LARGE_MESSAGE_BYTES);
        connectionFactory.setConsumerWindowSize(CONSUMER_WINDOW_BYTES);
        // without a pool, camel-jms opens a connection and a session for every message it sends
        JmsPoolConnectionFactory pooled = new JmsPoolConnectionFactory();
        pooled.setConnectionFactory(connectionFactory);
        pooled.setMaxConnections(2);
        // stopped with the context, before the broker it connects to
        context.addService(new PoolLifecycle(pooled), true, false);
        JmsComponent jms = new JmsComponent();
        jms.setConnectionFactory(pooled);
        jms.setDestinationResolver(new CachingDestinationResolver());
        registry.bind("jms", jms);
        // routes that say "transacted: batchTransaction" send everything in one JMS transaction
        registry.bind("batchTransaction", new SpringTransactionPolicy(new JmsTransactionManager(pooled)));
        registry.bind("brokerHealthCheck", new BrokerHealthCheck(connectionFactory,
                settings.embedded() ? "embedded" : settings.url(), settings.embedded()));
        return new Queue(broker);
    }

    /** Closes the JMS pool with the context. */
    private static final class PoolLifecycle extends ServiceSupport {
        private final JmsPoolConnectionFactory pool;

        PoolLifecycle(JmsPoolConnectionFactory pool) {
            this.pool = pool;
        }

        @Override
        protected void doStop() {
            pool.stop();
        }
    }
}
