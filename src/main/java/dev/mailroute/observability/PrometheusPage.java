package dev.mailroute.observability;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * GET /observe/metrics: the Prometheus text of every meter, mailroute's and Camel's. Served by a
 * route of mailroute's ({@code routes/observe-metrics.yaml}) rather than by Camel's management
 * endpoint, so that it can ask for an API key like the API does.
 */
public final class PrometheusPage {

    private final PrometheusMeterRegistry registry;

    public PrometheusPage(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    public void scrape(Exchange exchange) {
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        message.setBody(registry.scrape());
    }
}
