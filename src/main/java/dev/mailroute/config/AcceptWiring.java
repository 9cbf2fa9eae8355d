package dev.mailroute.config;

import dev.mailroute.accept.AcceptSettings;
import dev.mailroute.accept.IdempotencyKeys;
import dev.mailroute.accept.MailAcceptor;
import dev.mailroute.accept.MergeRequests;
import org.apache.camel.CamelContext;
import org.apache.camel.processor.aggregate.GroupedBodyAggregationStrategy;

/**
 * The accept stage: {@code mailAcceptor}, {@code mergeRequests}, the client keys of the
 * idempotent consumer ({@code idempotencyKeys}), and {@code batchResults}, which collects a batch's
 * item results in request order.
 */
final class AcceptWiring {

    private AcceptWiring() {
    }

    static void wire(CamelContext context, AcceptSettings settings, Started started) throws Exception {
        context.getRegistry().bind("mailAcceptor", new MailAcceptor(settings));
        context.getRegistry().bind("mergeRequests", new MergeRequests(settings));
        context.getRegistry().bind("batchResults", new GroupedBodyAggregationStrategy());
        IdempotencyKeys keys = new IdempotencyKeys(settings.idempotencyFile(), settings.idempotencyRetentionMillis());
        // read now: a key file that cannot be read stops the start, before any route takes a request
        started.start(keys);
        context.addService(keys, true, false);
        context.getRegistry().bind("idempotencyKeys", keys);
    }
}
