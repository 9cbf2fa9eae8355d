package dev.mailroute.config;

import java.nio.file.Path;

import dev.mailroute.accept.AcceptSettings;
import dev.mailroute.delivery.DeliverySettings;
import dev.mailroute.delivery.Transport;
import dev.mailroute.delivery.RelaySettings;
import dev.mailroute.delivery.Relays;
import dev.mailroute.delivery.pickup.PickupSettings;
import dev.mailroute.delivery.smtp.CircuitSettings;
import dev.mailroute.delivery.smtp.PoolSettings;
import dev.mailroute.delivery.smtp.SmtpSettings;
import dev.mailroute.delivery.smtp.oauth2.OAuth2Settings;
import dev.mailroute.ingress.file.InboxSettings;
import dev.mailroute.ingress.http.HttpSettings;
import dev.mailroute.ingress.smtp.SmtpdSettings;
import dev.mailroute.ledger.LedgerSettings;
import dev.mailroute.notify.BounceSettings;
import dev.mailroute.notify.webhook.WebhookSettings;
import dev.mailroute.observability.ObservabilitySettings;
import dev.mailroute.queue.BrokerSettings;
import dev.mailroute.routing.RoutingSettings;
import dev.mailroute.settings.KeyTable;
import dev.mailroute.settings.SettingsReader;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Every {@code mailroute.*} setting, one small record per stage, each read and checked by its own
 * {@code from} where its keys are declared. Read once at start-up (and by {@code doctor}) through
 * Camel's properties component, so a value comes from the same place a route's {@code {{...}}}
 * placeholder takes it from.
 *
 * @param oauth2 where the relay's access tokens come from when {@code mailroute.smtp.auth=oauth2};
 *               null otherwise
 * @param spoolDir where Camel spills large bodies (its stream caching), checked at start-up
 * @param allowUnauthenticated the operator's explicit opt-out of "nothing that accepts mail listens
 *                             beyond loopback without credentials" ({@code mailroute.security.allowUnauthenticated})
 * <p>Every key's value is checked against its kind in the {@link KeyTable} first, the keys only the
 * route files read included.
 */
public record MailrouteSettings(
        InboxSettings inbox,
        HttpSettings http,
        SmtpdSettings smtpd,
        AcceptSettings accept,
        BrokerSettings broker,
        DeliverySettings delivery,
        PickupSettings pickup,
        SmtpSettings smtp,
        OAuth2Settings oauth2,
        PoolSettings pool,
        CircuitSettings circuit,
        Relays relays,
        RoutingSettings routing,
        ObservabilitySettings observability,
        LedgerSettings ledger,
        BounceSettings bounce,
        WebhookSettings webhooks,
        Path spoolDir,
        boolean allowUnauthenticated) {

    public static MailrouteSettings from(PropertiesComponent properties) {
        SettingsReader r = new SettingsReader(properties::resolveProperty);
        KeyTable.check(r);
        DeliverySettings delivery = DeliverySettings.from(r);
        PickupSettings pickup = PickupSettings.from(r);
        SmtpSettings smtp = SmtpSettings.from(r);
        OAuth2Settings oauth2 = OAuth2Settings.forRelay(r);
        PoolSettings pool = PoolSettings.from(r);
        CircuitSettings circuit = CircuitSettings.from(r);
        Relays relays = Relays.from(r, RelaySettings.gatewayDefault(r, delivery.transport(), smtp, oauth2, pool,
                circuit, pickup.dir()));
        return new MailrouteSettings(
                InboxSettings.from(r),
                HttpSettings.from(r),
                SmtpdSettings.from(r),
                AcceptSettings.from(r),
                BrokerSettings.from(r),
                delivery,
                pickup,
                smtp,
                oauth2,
                pool,
                circuit,
                relays,
                RoutingSettings.from(r, relays.names()),
                ObservabilitySettings.from(r),
                LedgerSettings.from(r),
                BounceSettings.from(r),
                WebhookSettings.from(r),
                r.path("mailroute.spool.dir"),
                r.bool("mailroute.security.allowUnauthenticated"));
    }

    public Transport transport() {
        return delivery.transport();
    }

    /** The key that names a relay's pickup folder: mailroute.pickup.dir, or the relay's own. */
    public String pickupKey(Path pickup) {
        return relays.named().stream().filter(r -> r.usesPickup() && r.pickupDir().equals(pickup)
                                                   && !pickup.equals(this.pickup.dir()))
                .map(r -> "mailroute.relays." + r.name() + ".pickup.dir").findFirst().orElse("mailroute.pickup.dir");
    }

    /** A pickup folder is written to: as a relay's transport, or as its fallback. */
    public boolean usesPickup() {
        return relays.usePickup();
    }
}
