package dev.mailroute.config;

import dev.mailroute.notify.DeliveryReports;
import dev.mailroute.observability.MailEvents;
import dev.mailroute.settings.Hosts;
import org.apache.camel.CamelContext;

/** The notify stage: delivery status reports to the sender ({@code deliveryReports}, a step of the deliver route). */
final class NotifyWiring {

    private NotifyWiring() {
    }

    static void wire(CamelContext context, MailrouteSettings settings, MailEvents events) {
        // the name reports are signed with: the configured one, else the one the SMTP listener greets with
        String reportingMta = settings.bounce().reportingMta() != null ? settings.bounce().reportingMta()
                : settings.smtpd().hostname() != null ? settings.smtpd().hostname() : Hosts.localName();
        context.getRegistry().bind("deliveryReports", new DeliveryReports(settings.bounce(), reportingMta, events,
                System::currentTimeMillis));
    }
}
