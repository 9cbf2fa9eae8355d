package dev.mailroute.config;

import dev.mailroute.accept.AcceptSettings;
import dev.mailroute.accept.IdempotencyKeys;
import dev.mailroute.accept.MailAcceptor;
import dev.mailroute.accept.MergeRequests;
import org.apache.camel.CamelContext;

/**
 * The accept stage: {@code mailAcceptor}, {@code mergeRequests} and the client keys of the
 * idempotent consumer ({@code idempotencyKeys}).
 */
final class AcceptWiring {

    private AcceptWiring() {
    }

    static void wire(CamelContext context, AcceptSettings settings, Started started) throws Exception {
        context.getRegistry().bind("mailAcceptor", new MailAcceptor(settings));
        context.getRegistry().bind("mergeRequests", new MergeRequests(settings));
        IdempotencyKeys keys = new IdempotencyKeys(settings.idempotencyFile(), settings.idempotencyRetentionMillis());
        // read now: a key file that cannot be read stops the start, before any route takes a request
        started.start(keys);
        context.addService(keys, true, false);
        context.getRegistry().bind("idempotencyKeys", keys);
    }
}
