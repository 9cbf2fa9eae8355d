package dev.mailroute.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

import dev.mailroute.notify.DeliveryReports;
import dev.mailroute.observability.MailEvents;
import org.apache.camel.CamelContext;

/** The notify stage: delivery status reports to the sender ({@code deliveryReports}, a step of the deliver route). */
final class NotifyWiring {

    private NotifyWiring() {
    }

    static void wire(CamelContext context, MailrouteSettings settings, MailEvents events) {
        String name = settings.smtpd().hostname() != null ? settings.smtpd().hostname() : localName();
        context.getRegistry().bind("deliveryReports", new DeliveryReports(settings.bounce(), name, events,
                System::currentTimeMillis));
    }

    private static String localName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName(); // as the SMTP listener greets
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
