package dev.mailroute.config;

import dev.mailroute.accept.AcceptSettings;
import dev.mailroute.ingress.file.InboxSettings;
import dev.mailroute.ingress.file.RejectedFolder;
import dev.mailroute.ingress.http.BatchItems;
import dev.mailroute.ingress.http.HttpAnswers;
import dev.mailroute.ingress.http.HttpRequestCheck;
import dev.mailroute.ingress.http.HttpSettings;
import org.apache.camel.spi.Registry;

/** The ingress beans: the inbox's {@code rejectedFolder}; HTTP's {@code httpRequestCheck}, {@code httpAnswers}, {@code batchItems}. */
final class IngressWiring {

    private IngressWiring() {
    }

    static void wire(Registry registry, InboxSettings inbox, HttpSettings http, AcceptSettings accept) {
        registry.bind("rejectedFolder", new RejectedFolder(inbox.rejectedDir()));
        registry.bind("httpRequestCheck", new HttpRequestCheck(http.apiKeys()));
        registry.bind("httpAnswers", new HttpAnswers());
        registry.bind("batchItems", new BatchItems(http.maxBatch(), accept.maxBytes()));
    }
}
