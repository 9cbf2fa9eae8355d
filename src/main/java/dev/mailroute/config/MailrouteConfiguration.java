package dev.mailroute.config;

import dev.mailroute.accept.IdempotencyKeys;
import dev.mailroute.accept.MailAcceptor;
import dev.mailroute.accept.RejectedFolder;
import dev.mailroute.delivery.DeliveryOutcomes;
import dev.mailroute.delivery.FailedFolder;
import dev.mailroute.delivery.RetryPolicy;
import dev.mailroute.delivery.pickup.PickupFileWriter;
import dev.mailroute.delivery.smtp.RelayCircuit;
import dev.mailroute.delivery.smtp.SmtpMailSender;
import dev.mailroute.diagnostics.BrokerHealthCheck;
import dev.mailroute.diagnostics.MailEvents;
import dev.mailroute.diagnostics.StartupChecks;
import dev.mailroute.diagnostics.TransportHealthCheck;
import dev.mailroute.ingress.http.BatchItems;
import dev.mailroute.ingress.http.HttpAnswers;
import dev.mailroute.ingress.http.HttpRequestCheck;
import dev.mailroute.queue.CachingDestinationResolver;
import dev.mailroute.queue.EmbeddedBroker;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.spring.spi.SpringTransactionPolicy;
import org.messaginghub.pooled.jms.JmsPoolConnectionFactory;
import org.springframework.jms.connection.JmsTransactionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the gateway from its settings: checks the folders, starts the embedded broker (unless
 * {@code mailroute.broker.url} names another), and binds the beans the YAML routes call by name.
 * Which routes run, and how they connect, is up to the files in {@code routes/}.
 */
public class MailrouteConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(MailrouteConfiguration.class);

    public static final String BROKER_BEAN = "embeddedBroker";

    /** Smaller messages go into the broker's journal (10 MiB files), larger ones into files of their own. */
    private static final int LARGE_MESSAGE_BYTES = 1024 * 1024;

    /**
     * What the broker sends a consumer ahead of its receive (Artemis' default: 1 MiB). A delivery
     * consumer stuck in a slow SMTP transaction holds back no more than this, and the mail.submit
     * consumer, which Spring opens anew for every message, no longer has a megabyte of backlog
     * sent to it and taken back each time (about +40% there; no change for mail.outbound).
     */
    private static final int CONSUMER_WINDOW_BYTES = 64 * 1024;

    /** Closes the JMS pool with the context, before the broker it connects to. */
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

    @Override
    public void configure(CamelContext context) throws Exception {
        MailrouteSettings settings = MailrouteSettings.from(context.getPropertiesComponent());
        StartupChecks.requireUsableFolders(settings);
        Registry registry = context.getRegistry();

        ActiveMQConnectionFactory connectionFactory;
        if (settings.embeddedBroker()) {
            EmbeddedBroker broker = new EmbeddedBroker(settings.brokerDir(), settings.brokerHost(),
                    settings.brokerPort(), new EmbeddedBroker.RedeliveryPolicy(settings.retryInitialDelayMillis(),
                            settings.retryMultiplier(), settings.retryMaxDelayMillis()));
            broker.start();
            registry.bind(BROKER_BEAN, broker);
            context.addService(broker, true, false);
            connectionFactory = new ActiveMQConnectionFactory(EmbeddedBroker.IN_VM_URL);
            LOG.info("embedded broker: journal in {}, listening on tcp://{}:{}", settings.brokerDir(),
                    settings.brokerHost(), settings.brokerPort());
        } else {
            connectionFactory = new ActiveMQConnectionFactory(settings.brokerUrl());
            LOG.info("external broker at {}", settings.brokerUrl());
        }
        // Artemis stores a message of 100 KiB or more as a file of its own (created, synced and
        // deleted per message); up to 1 MiB they go into the journal like any other message
        connectionFactory.setMinLargeMessageSize(LARGE_MESSAGE_BYTES);
        connectionFactory.setConsumerWindowSize(CONSUMER_WINDOW_BYTES);
        // without a pool, camel-jms opens a connection and a session for every message it sends
        JmsPoolConnectionFactory pooled = new JmsPoolConnectionFactory();
        pooled.setConnectionFactory(connectionFactory);
        pooled.setMaxConnections(2);
        context.addService(new PoolLifecycle(pooled), true, false);
        JmsComponent jms = new JmsComponent();
        jms.setConnectionFactory(pooled);
        jms.setDestinationResolver(new CachingDestinationResolver());
        registry.bind("jms", jms);
        // routes that say "transacted: batchTransaction" send everything in one JMS transaction
        registry.bind("batchTransaction", new SpringTransactionPolicy(new JmsTransactionManager(pooled)));

        registry.bind("mailAcceptor", new MailAcceptor(settings.maxBytes()));
        IdempotencyKeys idempotencyKeys = new IdempotencyKeys(settings.idempotencyFile(),
                settings.idempotencyRetentionMillis());
        idempotencyKeys.start();
        context.addService(idempotencyKeys, true, false);
        registry.bind("idempotencyKeys", idempotencyKeys);
        registry.bind("rejectedFolder", new RejectedFolder(settings.rejectedDir()));
        registry.bind("httpRequestCheck", new HttpRequestCheck(settings.apiKeys()));
        registry.bind("httpAnswers", new HttpAnswers());
        registry.bind("batchItems", new BatchItems(settings.maxBatch(), settings.maxBytes()));
        registry.bind("pickupFileWriter", new PickupFileWriter(settings.pickupFormat(), settings.pickupDir(),
                settings.pickupFsync()));
        SmtpMailSender smtpMailSender = new SmtpMailSender(settings.smtp(), settings.smtpConnections(),
                settings.maxMessagesPerConnection(), settings.smtpIdleTimeoutMillis());
        context.addService(smtpMailSender, true, true);
        registry.bind("smtpMailSender", smtpMailSender);
        RelayCircuit relayCircuit = new RelayCircuit(context, "deliver", settings.transport(),
                settings.fallbackToPickup(), settings.circuitFailures(), settings.circuitProbeIntervalMillis(),
                smtpMailSender);
        registry.bind("relayCircuit", relayCircuit);
        // the registry Camel's Prometheus support serves at /observe/metrics: Camel's own if it made one first
        MeterRegistry meters = registry.lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                MeterRegistry.class);
        if (meters == null) {
            meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, meters);
        }
        MailEvents events = new MailEvents(context, meters,
                registry.lookupByNameAndType(BROKER_BEAN, EmbeddedBroker.class), relayCircuit,
                settings.summaryIntervalMillis());
        registry.bind("mailEvents", events);
        registry.bind("deliveryOutcomes", new DeliveryOutcomes(new RetryPolicy(settings.retryInitialDelayMillis(),
                settings.retryMultiplier(), settings.retryMaxDelayMillis(), settings.retryMaxAgeMillis()),
                new FailedFolder(settings.failedDir()), relayCircuit, settings.pickupDir(), events));

        registry.bind("brokerHealthCheck", new BrokerHealthCheck(connectionFactory,
                settings.embeddedBroker() ? "embedded" : settings.brokerUrl(), settings.embeddedBroker()));
        registry.bind("transportHealthCheck", new TransportHealthCheck(settings, relayCircuit));

        LOG.info("inbox {} -> {} delivery{}", settings.inboxDir(), settings.transport(),
                settings.transport().equals("smtp") ? " via " + settings.smtp()
                        : " into " + settings.pickupDir() + " (" + settings.pickupFormat() + ")");
    }
}
