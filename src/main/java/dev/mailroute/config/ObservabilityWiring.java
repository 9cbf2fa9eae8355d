package dev.mailroute.config;

import java.util.List;

import dev.mailroute.delivery.smtp.RelayCircuit;
import dev.mailroute.files.Platform;
import dev.mailroute.message.InFlightBytes;
import dev.mailroute.observability.MailEvents;
import dev.mailroute.observability.ObservabilitySettings;
import dev.mailroute.observability.PrometheusPage;
import dev.mailroute.queue.EmbeddedBroker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.spi.Registry;

/**
 * The event log and the metrics behind {@code /observe/metrics}: {@code mailEvents}, and the
 * gauges that read the queue depths and the relay circuit's state.
 */
final class ObservabilityWiring {

    private ObservabilityWiring() {
    }

    static MailEvents wire(CamelContext context, ObservabilitySettings settings, EmbeddedBroker broker)
            throws Exception {
        Registry registry = context.getRegistry();
        // the registry Camel's Prometheus support serves at /observe/metrics: Camel's own if it made one first
        PrometheusMeterRegistry meters = registry.lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                PrometheusMeterRegistry.class);
        if (meters == null) {
            meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, meters);
        }
        registry.bind("prometheusPage", new PrometheusPage(meters));
        if (broker != null) {
            for (String queue : EmbeddedBroker.QUEUES) {
                Gauge.builder("mailroute.queue.depth", () -> broker.messageCount(queue)).tag("queue", queue)
                        .description("messages on the queue, scheduled retries included").register(meters);
            }
            Gauge.builder("mailroute.queue.scheduled", () -> broker.scheduledCount("mail.outbound"))
                    .tag("queue", "mail.outbound").description("messages waiting for their retry time")
                    .register(meters);
        }
        MailEvents events = new MailEvents(meters, broker == null ? queue -> -1 : broker::messageCount,
                broker == null ? queue -> -1 : broker::scheduledCount, context.getExecutorServiceManager(), settings);
        context.addService(events, true, false);
        registry.bind("mailEvents", events);
        return events;
    }

    /** Renames and deletes tried again because another process (antivirus, indexing) held the file for a moment. */
    static void fileLockCounter(CamelContext context) {
        FunctionCounter.builder("mailroute.files.lock.retries", Platform.class, c -> Platform.retries())
                .description("file renames and deletes tried again because another process held the file")
                .register(meters(context));
    }

    /** What mailroute.message.maxInFlight holds now, and its limit: a limit reached often asks for a larger heap. */
    static void inFlightGauges(CamelContext context, InFlightBytes inFlight) {
        MeterRegistry meters = meters(context);
        Gauge.builder("mailroute.memory.inflight", inFlight::held).baseUnit("bytes")
                .description("bytes of messages being received, accepted or read for delivery").register(meters);
        Gauge.builder("mailroute.memory.inflight.limit", inFlight::limit).baseUnit("bytes")
                .description("mailroute.message.maxInFlight").register(meters);
        Gauge.builder("mailroute.memory.inflight.waiting", inFlight::waiting)
                .description("messages waiting for room in memory (inbox files, JMS submissions, large deliveries)")
                .register(meters);
    }

    /** The depth of each named relay's queue, mail.relay.<name>, as of the queues above. */
    static void relayQueueGauges(CamelContext context, EmbeddedBroker broker, List<String> queues) {
        if (broker == null) {
            return;
        }
        for (String queue : queues) {
            Gauge.builder("mailroute.queue.depth", () -> broker.messageCount(queue)).tag("queue", queue)
                    .description("messages on the queue, scheduled retries included").register(meters(context));
        }
    }

    /** The relay circuit's state as a gauge: 0 closed, 1 open, 2 half-open. */
    static void circuitGauge(CamelContext context, RelayCircuit circuit) {
        MeterRegistry meters = meters(context);
        Gauge.builder("mailroute.relay.circuit", () -> circuit.state().ordinal())
                .description("relay circuit: 0 closed, 1 open, 2 half-open").register(meters);
    }

    /** The registry {@link #wire} bound, which /observe/metrics serves. */
    static MeterRegistry meters(CamelContext context) {
        return context.getRegistry().lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class);
    }
}
