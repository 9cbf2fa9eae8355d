package dev.mailroute.config;

import java.util.List;
import java.util.Map;

import dev.mailroute.delivery.RelaySettings;
import dev.mailroute.delivery.Transport;
import dev.mailroute.delivery.smtp.RelayCircuit;
import dev.mailroute.routing.RelayRouter;
import dev.mailroute.message.InFlightBytes;
import dev.mailroute.observability.MailEvents;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the gateway from its settings, stage by stage: the start-up checks, the queue, accept,
 * the ingresses, the event log and metrics, delivery. Each stage binds the beans the YAML routes
 * call by name and hands the context what it must stop. Which routes run, and how they connect,
 * is up to the files in {@code routes/}.
 */
public final class MailrouteConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(MailrouteConfiguration.class);

    private final Started started = new Started();

    @Override
    public void configure(CamelContext context) throws Exception {
        // route files name kinds of failure by word, not by Java class
        context.setClassResolver(new RouteVocabulary(context));
        MailrouteSettings settings = MailrouteSettings.from(context.getPropertiesComponent());
        StartupChecks.requireUsableFolders(settings);
        StartupChecks.requireClosedByDefault(settings);
        StartupChecks.requireLedgerOutlivesRetries(settings);
        FolderLocks locks = new FolderLocks();
        started.start(locks);
        context.addService(locks, true, false);
        locks.lock(settings.inbox().dir(), "mailroute.inbox.dir");
        if (settings.broker().embedded()) {
            locks.lock(settings.broker().dir(), "mailroute.broker.dir");
        }
        if (settings.smtp().trust() != null) {
            LOG.warn("mailroute.smtp.tls.trust={}: the relay's TLS certificate is not checked against the trust"
                     + " store for these hosts{}", settings.smtp().trust(),
                    "*".equals(settings.smtp().trust()) ? ", nor its name: any server can pose as the relay" : "");
        }

        // the relays' own queues: the named relays', and the default's too when a routing file routes
        List<String> relayQueues = settings.relays().all().stream()
                .map(relay -> RelayRouter.queueOf(relay.name(), settings.routing().routes()))
                .filter(queue -> !queue.equals(RelayRouter.OUTBOUND)).toList();
        QueueWiring.Queue queue = QueueWiring.wire(context, settings.broker(), settings.delivery().retry(),
                settings.delivery().gatewayThrottle(), !settings.webhooks().endpoints().isEmpty(), relayQueues,
                started);
        AcceptWiring.wire(context, settings.accept(), started);
        MailEvents events = ObservabilityWiring.wire(context, settings.observability(), queue.embeddedBroker());
        LedgerWiring.Wired ledger = LedgerWiring.wire(context, settings.ledger(), ObservabilityWiring.meters(context));
        // one budget for the messages held in memory: requests being received and accepted, large deliveries
        InFlightBytes inFlight = new InFlightBytes(settings.accept().maxInFlight());
        IngressWiring.wire(context, settings, inFlight, events, ledger.database());
        Map<String, RelayCircuit> circuits = DeliveryWiring.wire(context, settings, inFlight, events,
                ledger.ledger(), queue.deliverySwitch());
        NotifyWiring.wire(context, settings, events, queue.operations());
        AdminWiring.wire(context, queue, ledger, events, circuits, settings.routing().routes(),
                settings.delivery().failedDir());
        ObservabilityWiring.circuitGauge(context, circuits.get(RelaySettings.DEFAULT));
        ObservabilityWiring.relayQueueGauges(context, queue.embeddedBroker(), relayQueues);
        ObservabilityWiring.inFlightGauges(context, inFlight);
        ObservabilityWiring.fileLockCounter(context);

        LOG.info("inbox {} -> {} delivery{}", settings.inbox().dir(), settings.transport(),
                settings.transport() == Transport.SMTP ? " via " + settings.smtp()
                                + (settings.oauth2() == null ? "" : " with tokens from " + settings.oauth2())
                        : " into " + settings.pickup().dir() + " (" + settings.pickup().format() + ")");
    }

    /** Stops what was started for the context if the context never got to stop it (a failed start). */
    public void stopStarted() {
        started.stopAll();
    }
}
