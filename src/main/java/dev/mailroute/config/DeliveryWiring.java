package dev.mailroute.config;

import dev.mailroute.delivery.DeliveryOutcomes;
import dev.mailroute.delivery.FailedFolder;
import dev.mailroute.delivery.TransportHealthCheck;
import dev.mailroute.ledger.Ledger;
import dev.mailroute.delivery.pickup.PickupFileWriter;
import dev.mailroute.delivery.smtp.RelayCircuit;
import dev.mailroute.queue.DeliverySwitch;
import dev.mailroute.delivery.smtp.RelayCredentials;
import dev.mailroute.delivery.smtp.SmtpMailSender;
import dev.mailroute.delivery.smtp.oauth2.OAuth2Credentials;
import dev.mailroute.message.InFlightBytes;
import dev.mailroute.observability.MailEvents;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

/**
 * The deliver stage: the two transports ({@code pickupFileWriter}, {@code smtpMailSender}), the
 * relay's circuit breaker ({@code relayCircuit}, the route policy of the routes it pauses), what becomes of each attempt
 * ({@code deliveryOutcomes}) and the transport's health check.
 */
final class DeliveryWiring {

    private DeliveryWiring() {
    }

    static RelayCircuit wire(CamelContext context, MailrouteSettings settings, InFlightBytes inFlight, MailEvents events,
                             Ledger ledger, DeliverySwitch deliverySwitch) throws Exception {
        Registry registry = context.getRegistry();
        registry.bind("pickupFileWriter", new PickupFileWriter(settings.pickup()));
        SmtpMailSender smtpMailSender = new SmtpMailSender(settings.smtp(), relayCredentials(settings),
                settings.pool());
        context.addService(smtpMailSender, true, true);
        registry.bind("smtpMailSender", smtpMailSender);
        RelayCircuit relayCircuit = new RelayCircuit(context, settings.circuit(), smtpMailSender, deliverySwitch);
        registry.bind("relayCircuit", relayCircuit);
        registry.bind("deliveryOutcomes", new DeliveryOutcomes(settings.transport(), settings.delivery().retry(),
                new FailedFolder(settings.delivery().failedDir()), relayCircuit, settings.pickup().dir(), inFlight, events, ledger,
                settings.smtp().host() + ":" + settings.smtp().port()));
        registry.bind("transportHealthCheck", new TransportHealthCheck(settings.transport(), settings.pickup().dir(),
                settings.smtp(), relayCircuit));
        return relayCircuit;
    }

    /**
     * The transport owns {@link RelayCredentials}; the token providers below it implement it. The
     * choice is made here, at the top, so that the transport never imports its providers.
     */
    private static RelayCredentials relayCredentials(MailrouteSettings settings) {
        return settings.oauth2() != null ? OAuth2Credentials.of(settings.oauth2())
                : new RelayCredentials.Password(settings.smtp().password());
    }
}
