package dev.mailroute.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.mailroute.delivery.DeliveryOutcomes;
import dev.mailroute.delivery.FailedFolder;
import dev.mailroute.delivery.RelayOutcomes;
import dev.mailroute.delivery.RelaySettings;
import dev.mailroute.delivery.Transport;
import dev.mailroute.delivery.TransportHealthCheck;
import dev.mailroute.delivery.pickup.PickupFileWriter;
import dev.mailroute.delivery.pickup.PickupSettings;
import dev.mailroute.delivery.smtp.RelayCircuit;
import dev.mailroute.delivery.smtp.RelayCredentials;
import dev.mailroute.delivery.smtp.SmtpMailSender;
import dev.mailroute.delivery.smtp.oauth2.OAuth2Credentials;
import dev.mailroute.ledger.Ledger;
import dev.mailroute.message.InFlightBytes;
import dev.mailroute.observability.MailEvents;
import dev.mailroute.queue.DeliverySwitch;
import dev.mailroute.routing.LiveRoutingTable;
import dev.mailroute.routing.RelayRouter;
import dev.mailroute.routing.RoutingSettings;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deliver stage, per relay: its transports ({@code pickupFileWriter}, {@code smtpMailSender}),
 * its circuit breaker ({@code relayCircuit}, the route policy of the route it pauses) and its health
 * check — named so for the relay named default and with {@code -<name>} after them for another
 * ({@code smtpMailSender-bulk}) — and what becomes of each attempt through it, behind the one
 * {@code deliveryOutcomes} of routes/deliver-attempt.yaml. The route {@code deliver} of
 * routes/deliver.yaml takes mail.outbound: without a routing file it delivers through the relay
 * named default; with one it only routes, and every relay, default included, delivers through a
 * route made from the template there ({@code deliver-relay}) once the route files are loaded. And
 * the routing table in force with its router ({@code relayRouter}), the first step of every
 * deliver route.
 */
final class DeliveryWiring {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryWiring.class);

    private DeliveryWiring() {
    }

    /** @return each relay's circuit by its name, the default's first */
    static Map<String, RelayCircuit> wire(CamelContext context, MailrouteSettings settings, InFlightBytes inFlight,
                                   MailEvents events, Ledger ledger, DeliverySwitch deliverySwitch) throws Exception {
        Map<String, RelayCircuit> circuits = new LinkedHashMap<>();
        Map<String, DeliveryOutcomes> outcomes = new LinkedHashMap<>();
        for (RelaySettings relay : settings.relays().all()) {
            RelayCircuit circuit = wireRelay(context, settings, relay, circuitBean(relay, settings.routing().routes()),
                    deliverySwitch);
            circuits.put(relay.name(), circuit);
            outcomes.put(relay.name(), new DeliveryOutcomes(relay, settings.delivery().retry(),
                    new FailedFolder(settings.delivery().failedDir()), circuit, inFlight, events, ledger));
        }
        context.getRegistry().bind("deliveryOutcomes", new RelayOutcomes(outcomes));
        boolean routing = settings.routing().routes();
        wireRouting(context, settings);
        if (routing) {
            // the route of routes/deliver.yaml on mail.outbound only routes: no relay's circuit pauses it
            context.getRegistry().bind("relayCircuit", deliverySwitch.routing());
        }
        // with a routing file every relay, the default too, delivers from a queue of its own, through a
        // route made from the template in a route file: made once the route files are loaded
        List<RelaySettings> fromTemplate = routing ? settings.relays().all() : settings.relays().named();
        if (!fromTemplate.isEmpty()) {
            context.addStartupListener(new StartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext camel, boolean alreadyStarted) {
                    // the route files are loaded, the routes not started: too early to add one
                }

                @Override
                public void onCamelContextFullyStarted(CamelContext camel, boolean alreadyStarted) throws Exception {
                    for (RelaySettings relay : fromTemplate) {
                        TemplatedRoutes.of(camel).make("deliver-relay", "deliver-" + relay.name(), Map.of(
                                "relay", relay.name(),
                                "queue", RelayRouter.queueOf(relay.name(), routing),
                                "throttleRate", Integer.toString(relay.throttleRate()),
                                "throttlePeriod", Long.toString(relay.throttlePeriodMillis()),
                                "circuit", circuitBean(relay, routing)));
                        LOG.info("relay {}: {} delivery {} {}", relay.name(), relay.transport(),
                                relay.transport() == Transport.SMTP ? "via" : "into", relay.destination());
                    }
                }
            });
        }
        return circuits;
    }

    /**
     * The name of a relay's circuit, the route policy of its deliver route: relayCircuit-&lt;name&gt;,
     * and relayCircuit for the relay named default as long as its route is routes/deliver.yaml's on
     * mail.outbound (without a routing file).
     */
    private static String circuitBean(RelaySettings relay, boolean routing) {
        return relay.isDefault() && routing ? "relayCircuit-" + relay.name() : relay.bean("relayCircuit");
    }

    private static RelayCircuit wireRelay(CamelContext context, MailrouteSettings settings, RelaySettings relay,
                                          String circuitBean, DeliverySwitch deliverySwitch) throws Exception {
        Registry registry = context.getRegistry();
        PickupSettings pickup = settings.pickup();
        registry.bind(relay.bean("pickupFileWriter"), new PickupFileWriter(
                new PickupSettings(relay.pickupDir(), pickup.format(), pickup.fsync(), pickup.modes())));
        SmtpMailSender smtpMailSender = null;
        if (relay.smtp() != null) {
            smtpMailSender = new SmtpMailSender(relay.smtp(), relayCredentials(relay), relay.pool());
            context.addService(smtpMailSender, true, true);
            registry.bind(relay.bean("smtpMailSender"), smtpMailSender);
        }
        RelayCircuit relayCircuit = new RelayCircuit(context, relay.name(), relay.circuit(), smtpMailSender,
                deliverySwitch);
        registry.bind(circuitBean, relayCircuit);
        registry.bind(relay.bean("transportHealthCheck"), new TransportHealthCheck(relay, relayCircuit));
        Gauge.builder("mailroute.relays.circuit", () -> relayCircuit.state().ordinal()).tag("relay", relay.name())
                .description("each relay's circuit: 0 closed, 1 open, 2 half-open")
                .register(ObservabilityWiring.meters(context));
        return relayCircuit;
    }

    /**
     * The routing table in force ({@code mailroute.routing.file}, looked at again every
     * checkInterval) and the router every deliver route begins with.
     */
    private static void wireRouting(CamelContext context, MailrouteSettings settings) {
        RoutingSettings routing = settings.routing();
        LiveRoutingTable table = new LiveRoutingTable(routing, settings.relays().names());
        context.getRegistry().bind("routingTable", table);
        context.getRegistry().bind("relayRouter", new RelayRouter(table, routing.routes()));
        MeterRegistry meters = ObservabilityWiring.meters(context);
        FunctionCounter.builder("mailroute.routing.reloads", table, LiveRoutingTable::applied).tag("outcome", "applied")
                .description("edits of the routing file put in force").register(meters);
        FunctionCounter.builder("mailroute.routing.reloads", table, LiveRoutingTable::refusals).tag("outcome", "refused")
                .description("edits of the routing file refused (the table in force stays)").register(meters);
        Gauge.builder("mailroute.routing.refused", () -> table.refused() == null ? 0 : 1)
                .description("1 while the routing file's content is refused and an older table is in force")
                .register(meters);
        if (routing.routes()) {
            LOG.info("routing: {} rules from {}", routing.table().rules().size(), routing.file());
            // Camel shuts its managed pools down with the context
            ScheduledExecutorService checks = context.getExecutorServiceManager()
                    .newSingleThreadScheduledExecutor(table, "routing-file");
            // a task that throws is never run again: whatever goes wrong in one check is logged, not thrown
            checks.scheduleWithFixedDelay(() -> {
                try {
                    table.check();
                } catch (RuntimeException | Error e) {
                    LOG.error("routing: checking {} failed: {}", routing.file(), e.toString(), e);
                }
            }, routing.checkIntervalMillis(), routing.checkIntervalMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The transport owns {@link RelayCredentials}; the token providers below it implement it. The
     * choice is made here, at the top, so that the transport never imports its providers.
     */
    private static RelayCredentials relayCredentials(RelaySettings relay) {
        return relay.oauth2() != null ? OAuth2Credentials.of(relay.oauth2())
                : new RelayCredentials.Password(relay.smtp().password(), relay.smtpKeyPrefix());
    }
}
