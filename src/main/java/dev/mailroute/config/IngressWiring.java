package dev.mailroute.config;

import dev.mailroute.accept.AcceptSettings;
import dev.mailroute.ingress.ClientInput;
import dev.mailroute.ingress.file.InboxCommit;
import dev.mailroute.ingress.file.InboxFiles;
import dev.mailroute.ingress.file.InboxSettings;
import dev.mailroute.ingress.file.InboxTransaction;
import dev.mailroute.ingress.file.RejectedFolder;
import dev.mailroute.ingress.file.UndeletedFiles;
import dev.mailroute.ingress.http.AdminWhoami;
import dev.mailroute.ingress.http.ApiHttpServer;
import dev.mailroute.ingress.http.BatchItems;
import dev.mailroute.ingress.http.HttpAnswers;
import dev.mailroute.ingress.http.HttpRequestCheck;
import dev.mailroute.ingress.http.HttpSettings;
import dev.mailroute.ingress.http.MessageStatus;
import dev.mailroute.ingress.jms.JmsSubmission;
import dev.mailroute.ledger.LedgerDatabase;
import dev.mailroute.ledger.LedgerQueries;
import dev.mailroute.ingress.smtp.SmtpdComponent;
import dev.mailroute.message.InFlightBytes;
import dev.mailroute.observability.MailEvents;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.spi.Registry;
import org.apache.camel.spring.spi.SpringTransactionPolicy;

/**
 * The ingress beans: {@code clientInput}, every ingress's first step; the inbox's {@code inboxFiles},
 * {@code inboxCommit} and {@code rejectedFolder}; HTTP's {@code httpRequestCheck}, {@code httpAnswers},
 * {@code batchItems}, the status API's {@code messageStatus}, and the HTTP server itself; JMS's {@code jmsSubmission}; the
 * SMTP listener's component {@code smtpd:}.
 */
final class IngressWiring {

    private IngressWiring() {
    }

    /** @param ledger the ledger's database the status API reads, or null when the ledger is off */
    static void wire(CamelContext context, MailrouteSettings settings, InFlightBytes inFlight, MailEvents events,
                     LedgerDatabase ledger) throws Exception {
        InboxSettings inbox = settings.inbox();
        HttpSettings http = settings.http();
        AcceptSettings accept = settings.accept();
        Registry registry = context.getRegistry();
        RejectedFolder rejected = new RejectedFolder(inbox.rejectedDir());
        registry.bind("clientInput", new ClientInput(events));
        registry.bind("rejectedFolder", rejected);
        MeterRegistry meters = registry.lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class);
        UndeletedFiles undeleted = new UndeletedFiles();
        registry.bind("inboxFiles", new InboxFiles(rejected, undeleted, inFlight, events, meters,
                inbox.minAgeMillis()));
        registry.bind("inboxCommit", new InboxCommit(undeleted));
        // the files of one poll in one queue transaction (routes/ingress-file.yaml)
        registry.bind("inboxTransaction", new InboxTransaction(registry.lookupByNameAndType("batchTransaction",
                SpringTransactionPolicy.class).getTransactionManager(), inFlight));
        Gauge.builder("mailroute.inbox.undeleted", undeleted::count)
                .description("inbox files whose message is queued but which could not be deleted (not taken again)")
                .register(meters);
        HttpRequestCheck check = new HttpRequestCheck(http.apiKeys(), http.adminKeys(), accept.maxBytes(),
                http.observeRequiresKey());
        HttpAnswers answers = new HttpAnswers();
        registry.bind("httpRequestCheck", check);
        registry.bind("httpAnswers", answers);
        registry.bind("messageStatus", new MessageStatus(ledger == null ? null : new LedgerQueries(ledger),
                System::currentTimeMillis));
        registry.bind("adminWhoami", new AdminWhoami());
        registry.bind("batchItems", new BatchItems(http.maxBatch(), accept.maxBytes()));
        registry.bind("jmsSubmission", new JmsSubmission(inFlight));
        // smtpd: in routes/ingress-smtp.yaml; it listens only when mailroute.smtpd.enabled, whatever a route says
        context.addComponent("smtpd", new SmtpdComponent(settings.smtpd(), accept.maxBytes(), inFlight, accept.sendersAllowed(),
                events, settings.allowUnauthenticated()));
        // started with the context, before the routes; Camel's management endpoints (health) use it too
        context.addService(new ApiHttpServer(http, accept.maxBytes(), inFlight, check, answers), true, false);
    }
}
