package dev.mailroute.config;

import java.util.Map;

import dev.mailroute.notify.DeliveryReports;
import dev.mailroute.notify.webhook.WebhookDispatch;
import dev.mailroute.notify.webhook.WebhookEndpoint;
import dev.mailroute.notify.webhook.WebhookHealthCheck;
import dev.mailroute.notify.webhook.WebhookOutbox;
import dev.mailroute.notify.webhook.WebhookSettings;
import dev.mailroute.observability.MailEvents;
import dev.mailroute.queue.QueueOperations;
import dev.mailroute.settings.Hosts;
import jakarta.jms.JMSException;
import org.apache.camel.CamelContext;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.impl.event.CamelContextStoppingEvent;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.Policy;
import org.apache.camel.StartupListener;
import org.apache.camel.support.SimpleEventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notify stage: delivery status reports to the sender ({@code deliveryReports}, a step of the
 * deliver route), and the webhooks: the outbox ({@code webhookOutbox}), one sender route per
 * endpoint made from the template in routes/notify-webhooks.yaml ({@code webhookDispatch}), their
 * health check, and the enqueue route's transaction ({@code enqueueTransaction}).
 */
final class NotifyWiring {

    private static final Logger LOG = LoggerFactory.getLogger(NotifyWiring.class);

    private NotifyWiring() {
    }

    static void wire(CamelContext context, MailrouteSettings settings, MailEvents events, QueueOperations queue)
            throws Exception {
        // the name reports are signed with: the configured one, else the one the SMTP listener greets with
        String reportingMta = settings.bounce().reportingMta() != null ? settings.bounce().reportingMta()
                : settings.smtpd().hostname() != null ? settings.smtpd().hostname() : Hosts.localName();
        context.getRegistry().bind("deliveryReports", new DeliveryReports(settings.bounce(), reportingMta, events,
                System::currentTimeMillis));
        wireWebhooks(context, settings.webhooks(), queue);
    }

    private static void wireWebhooks(CamelContext context, WebhookSettings settings, QueueOperations queue)
            throws Exception {
        WebhookOutbox outbox = new WebhookOutbox(settings, ObservabilityWiring.meters(context));
        context.getRegistry().bind("webhookOutbox", outbox);
        // an accepted message and its events in one transaction only when some endpoint wants them:
        // otherwise the enqueue route's send stays as it is, outside any transaction of its own
        context.getRegistry().bind("enqueueTransaction", outbox.wantsAccepted()
                ? context.getRegistry().lookupByNameAndType("batchTransaction", Policy.class) : new NoPolicy());
        WebhookDispatch dispatch = new WebhookDispatch(settings, context, ObservabilityWiring.meters(context),
                endpoint -> pending(queue, endpoint));
        context.getRegistry().bind("webhookDispatch", dispatch);
        context.getRegistry().bind("webhookHealthCheck", new WebhookHealthCheck(dispatch, settings));
        context.addService(dispatch, true, false);
        // a sender waiting to retry gives its event back as soon as the stop begins, not after the routes' timeout
        context.getManagementStrategy().addEventNotifier(new SimpleEventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                dispatch.stopping();
            }

            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelContextStoppingEvent;
            }
        });
        if (settings.endpoints().isEmpty()) {
            return;
        }
        // the template is in a route file: the senders are made once the route files are loaded
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext camel, boolean alreadyStarted) {
                // the route files are loaded, the routes not started: too early to add one
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext camel, boolean alreadyStarted) throws Exception {
                for (WebhookEndpoint endpoint : settings.endpoints()) {
                    TemplatedRoutes.of(camel).make("webhook-endpoint", WebhookDispatch.routeId(endpoint.name()),
                            Map.of("endpoint", endpoint.name()));
                    LOG.info("webhook {}: {} to {}", endpoint.name(), endpoint.events(), endpoint.shownUrl());
                }
            }
        });
    }

    private static long pending(QueueOperations queue, String endpoint) {
        try {
            return queue.count("mail.webhook." + endpoint);
        } catch (JMSException | RuntimeException e) {
            return -1; // the broker does not answer: the broker's own health says so
        }
    }

    /** The enqueue route's transaction when no endpoint wants accepted events: none. */
    private static final class NoPolicy implements Policy {
        @Override
        public void beforeWrap(Route route, NamedNode definition) {
            // nothing to prepare
        }

        @Override
        public Processor wrap(Route route, Processor processor) {
            return processor;
        }
    }
}
