package dev.mailroute.config;

import java.util.List;

import dev.mailroute.delivery.RetryPolicy;
import dev.mailroute.queue.BrokerHealthCheck;
import dev.mailroute.queue.BrokerManagement;
import dev.mailroute.queue.BrokerSettings;
import dev.mailroute.queue.CachingDestinationResolver;
import dev.mailroute.queue.DeliverySwitch;
import dev.mailroute.queue.QueueOperations;
import dev.mailroute.queue.EmbeddedBroker;
import dev.mailroute.queue.FileDuplicateId;
import dev.mailroute.queue.KeyedDuplicateId;
import jakarta.jms.JMSException;
import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.core.remoting.impl.netty.TransportConstants;
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
 * JMS connections every route shares ({@code jms}, and {@code jmsKeyed} for messages with a client
 * key, outside any transaction), one JMS transaction for a whole HTTP batch
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

    /**
     * What the other stages need of the queue: the embedded broker (null with an external one), the
     * operator's operations on it, and the switch that pauses delivery.
     */
    record Queue(EmbeddedBroker embeddedBroker, QueueOperations operations, DeliverySwitch deliverySwitch) {
    }

    private QueueWiring() {
    }

    /** Starts the embedded broker at once (the routes need it before they start); {@code started} stops it. */
    /**
     * @param gatewayThrottle mailroute.throttle.scope=gateway: mail.outbound exclusive (one consumer
     *     in the whole gateway), on the embedded broker, and required of an external one
     * @param webhooks whether webhook endpoints are configured: then an external broker's outbox settings matter
     */
    static Queue wire(CamelContext context, BrokerSettings settings, RetryPolicy retry, boolean gatewayThrottle,
                      boolean webhooks, List<String> relayQueues, Started started) throws Exception {
        Registry registry = context.getRegistry();
        EmbeddedBroker broker = null;
        if (settings.embedded()) {
            broker = new EmbeddedBroker(settings, new EmbeddedBroker.RedeliveryPolicy(retry.initialDelayMillis(),
                    retry.multiplier(), retry.maxDelayMillis()), gatewayThrottle);
            started.start(broker);
            registry.bind(BROKER_BEAN, broker);
            context.addService(broker, true, false);
            LOG.info("embedded broker: journal in {}, JMS clients on {}://{}:{} (login required)", settings.dir(),
                    settings.tls() ? "ssl" : "tcp", settings.host(), settings.port());
        } else {
            LOG.info("external broker at {}{}", BrokerSettings.redacted(settings.url()),
                    settings.username() == null ? "" : " as " + settings.username());
            if (settings.urlCarriesCredentials()) {
                LOG.warn("mailroute.broker.url carries credentials; set mailroute.broker.username and"
                         + " MAILROUTE_BROKER_PASSWORD instead (they are never printed)");
            }
        }
        ActiveMQConnectionFactory connectionFactory = connectionFactory(settings, broker, settings.callTimeoutMillis());
        if (!settings.embedded()) {
            checkAddressSettings(connectionFactory, settings, gatewayThrottle, webhooks, relayQueues); // the factory is set up: nothing is set after its first use
        }
        // without a pool, camel-jms opens a connection and a session for every message it sends
        JmsPoolConnectionFactory pooled = pool(context, connectionFactory);
        registry.bind("jms", component(pooled));
        // Messages with a client key go to mail.outbound with a duplicate id the broker checks across
        // instances (KeyedDuplicateId, routes/enqueue.yaml), each sent on its own: a duplicate
        // inside a route's transaction would roll back all of it (a batch, or the move off
        // mail.submit, again and again). A pool of its own is never bound to a route's transaction.
        JmsPoolConnectionFactory keyed = pool(context, connectionFactory);
        JmsComponent keyedComponent = component(keyed);
        keyedComponent.getConfiguration().setMessageCreatedStrategy(new KeyedDuplicateId());
        registry.bind("jmsKeyed", keyedComponent);
        // NOT_SUPPORTED: the route's transaction (the move off mail.submit, a batch) suspended while a
        // keyed message is sent on its own; otherwise Spring would commit it with that transaction
        SpringTransactionPolicy outsideTransaction = new SpringTransactionPolicy(new JmsTransactionManager(keyed));
        outsideTransaction.setPropagationBehaviorName("PROPAGATION_NOT_SUPPORTED");
        registry.bind("outsideTransaction", outsideTransaction);
        // routes that say "transacted: batchTransaction" send everything in one JMS transaction
        registry.bind("batchTransaction", new SpringTransactionPolicy(new JmsTransactionManager(pooled)));
        registry.bind("brokerHealthCheck", new BrokerHealthCheck(connectionFactory,
                settings.embedded() ? "embedded" : BrokerSettings.redacted(settings.url()), settings.embedded()));
        // the operator's operations go over the broker's management, on a connection of their own
        // (not the pool's: a management call must not wait behind a route's send). The broker does
        // an operation before it answers the send of its request, so that send takes as long as the
        // operation: a delete by sender over 100,000 paged messages outlasted callTimeout (2 s).
        ActiveMQConnectionFactory operations = connectionFactory(settings, broker, QueueOperations.ANSWER_MILLIS);
        QueueOperations queueOperations = new QueueOperations(operations, relayQueues);
        restoreInterruptedDeletes(queueOperations);
        restoreRemovedRelays(queueOperations);
        DeliverySwitch deliverySwitch = new DeliverySwitch(context);
        context.getManagementStrategy().addEventNotifier(deliverySwitch.drainWhenStopping());
        return new Queue(broker, queueOperations, deliverySwitch);
    }

    /** A delete that tells the senders, cut short by a stop: its messages go back where they came from. */
    private static void restoreInterruptedDeletes(QueueOperations operations) {
        try {
            long restored = operations.restoreInterruptedDeletes();
            if (restored > 0) {
                LOG.warn("queue: {} messages of a delete with notice that did not finish went back to mail.outbound"
                         + " and mail.held", restored);
            }
        } catch (JMSException | RuntimeException e) {
            LOG.warn("queue: could not look for messages of an unfinished delete with notice on {} and {}: {}",
                    QueueOperations.DELETING_OUTBOUND, QueueOperations.DELETING_HELD, e.toString());
        }
    }

    /** Parts waiting for a relay the configuration no longer has go back to mail.outbound, routed again. */
    private static void restoreRemovedRelays(QueueOperations operations) {
        try {
            operations.restoreRemovedRelays().forEach((queue, moved) -> LOG.warn("queue: {} messages waited on {}, the"
                    + " queue of a relay this configuration does not have (mailroute.relays); they went back to"
                    + " mail.outbound, to be routed by the table in force", moved, queue));
        } catch (JMSException | RuntimeException e) {
            LOG.warn("queue: could not look for messages on the queues of relays no longer configured: {}",
                    e.toString());
        }
    }

    /** A connection factory for mailroute's own account whose calls wait at most callTimeoutMillis. */
    private static ActiveMQConnectionFactory connectionFactory(BrokerSettings settings, EmbeddedBroker broker,
                                                               long callTimeoutMillis) {
        ActiveMQConnectionFactory connectionFactory = broker != null
                ? new ActiveMQConnectionFactory(broker.inVmUrl(), EmbeddedBroker.INTERNAL_USER,
                        broker.internalPassword().reveal())
                : new ActiveMQConnectionFactory(settings.url(), settings.username(),
                        settings.password() == null ? null : settings.password().reveal());
        // a broker that is away answers within callTimeout: HTTP says 503 and SMTP 451 in time for a
        // client's own timeout, instead of after Artemis' 30 s call and 10 s connect defaults
        connectionFactory.setCallTimeout(callTimeoutMillis);
        connectionFactory.setCallFailoverTimeout(callTimeoutMillis);
        // one connection attempt, then an answer: with Artemis' 2 s retry interval a send to a broker
        // that refuses connections took 2 s, and three such steps in a request 6 s (measured)
        connectionFactory.setInitialConnectAttempts(1);
        connectionFactory.setRetryInterval(100);
        for (TransportConfiguration connector : connectionFactory.getStaticConnectors()) {
            connector.getParams().putIfAbsent(TransportConstants.NETTY_CONNECT_TIMEOUT,
                    (int) settings.callTimeoutMillis());
        }
        // a JMS ObjectMessage is Java deserialization of whatever a client sent: mailroute reads none
        connectionFactory.setDeserializationDenyList("*");
        // Artemis stores a message of 100 KiB or more as a file of its own (created, synced and
        // deleted per message); up to 1 MiB they go into the journal like any other message
        connectionFactory.setMinLargeMessageSize(LARGE_MESSAGE_BYTES);
        connectionFactory.setConsumerWindowSize(CONSUMER_WINDOW_BYTES);
        return connectionFactory;
    }

    /**
     * An external broker is not configured by mailroute: what differs from what the embedded broker
     * sets (and mailroute relies on) is said at every start. Not fatal — mail is not lost either
     * way — but each line names the setting to change in broker.xml.
     */
    private static void checkAddressSettings(ActiveMQConnectionFactory factory, BrokerSettings settings,
                                             boolean gatewayThrottle, boolean webhooks, List<String> relayQueues) {
        try (BrokerManagement management = BrokerManagement.open(factory)) {
            List<String> differences = management.differences(settings.keyCache(), gatewayThrottle, webhooks,
                    !relayQueues.isEmpty());
            for (String difference : differences) {
                LOG.warn("external broker: {}", difference);
            }
            if (differences.isEmpty()) {
                LOG.info("external broker: the address settings of mailroute's queues are as required");
            }
        } catch (JMSException | RuntimeException e) {
            LOG.warn("external broker: cannot read its address settings to check them ({}); see docs/scale-out.md"
                     + " for what mailroute needs", e.getMessage());
        }
    }

    private static JmsPoolConnectionFactory pool(CamelContext context, ActiveMQConnectionFactory connectionFactory)
            throws Exception {
        JmsPoolConnectionFactory pooled = new JmsPoolConnectionFactory();
        pooled.setConnectionFactory(connectionFactory);
        pooled.setMaxConnections(2);
        // stopped with the context, before the broker it connects to
        context.addService(new PoolLifecycle(pooled), true, false);
        return pooled;
    }

    private static JmsComponent component(JmsPoolConnectionFactory pooled) {
        JmsComponent jms = new JmsComponent();
        jms.setConnectionFactory(pooled);
        jms.setDestinationResolver(new CachingDestinationResolver());
        // an inbox file's message carries the file's identity as its duplicate id (InboxTransaction)
        jms.getConfiguration().setMessageCreatedStrategy(new FileDuplicateId());
        return jms;
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
