package dev.mailroute.delivery;

import java.io.IOException;
import java.util.Map;

import dev.mailroute.observability.MailEvents;
import jakarta.mail.MessagingException;
import org.apache.camel.Exchange;

/**
 * The {@code deliveryOutcomes} of the route files (routes/deliver-attempt.yaml): each step handed
 * to the {@link DeliveryOutcomes} of the relay the exchange's route delivers through (its
 * {@code mailrouteRelay} property, which only a deliver route sets), so that one attempt route
 * serves every relay with that relay's transport, circuit and pickup folder.
 */
public final class RelayOutcomes {

    /** Exchange property: the relay of the deliver route (routes/deliver.yaml sets it first). */
    public static final String RELAY = MailEvents.RELAY;

    private final Map<String, DeliveryOutcomes> byRelay;

    /** @param byRelay each relay's outcomes by its name; the relay named default's among them */
    public RelayOutcomes(Map<String, DeliveryOutcomes> byRelay) {
        this.byRelay = Map.copyOf(byRelay);
    }

    public void begin(Exchange exchange) throws MessagingException, InterruptedException {
        of(exchange).begin(exchange);
    }

    public void delivered(Exchange exchange) {
        of(exchange).delivered(exchange);
    }

    public void failed(Exchange exchange) throws MessagingException, IOException, RelayConfigurationException {
        of(exchange).failed(exchange);
    }

    public void failedCopy(Exchange exchange) {
        of(exchange).failedCopy(exchange);
    }

    public void retryCopy(Exchange exchange) {
        of(exchange).retryCopy(exchange);
    }

    private DeliveryOutcomes of(Exchange exchange) {
        String relay = exchange.getProperty(RELAY, RelaySettings.DEFAULT, String.class);
        DeliveryOutcomes outcomes = byRelay.get(relay);
        if (outcomes == null) {
            // only a route of the route files sets the property: an edit that names no relay of the configuration
            throw new IllegalStateException("exchange property " + RELAY + "=" + relay + " names no relay of this"
                                            + " gateway (" + String.join(", ", byRelay.keySet()) + ")");
        }
        return outcomes;
    }
}
