package dev.mailroute.queue;

import java.util.Map;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: can mailroute open a connection to its broker right now? Also liveness when the
 * broker is embedded: a gateway whose own broker died needs a restart; one whose external broker
 * is away only has to wait.
 */
public final class BrokerHealthCheck extends AbstractHealthCheck {

    private final ConnectionFactory connectionFactory;
    private final String description;
    private final boolean embedded;

    public BrokerHealthCheck(ConnectionFactory connectionFactory, String description, boolean embedded) {
        super("mailroute", "broker");
        this.connectionFactory = connectionFactory;
        this.description = description;
        this.embedded = embedded;
    }

    @Override
    public boolean isLiveness() {
        return embedded;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("broker", description);
        try (Connection connection = connectionFactory.createConnection()) {
            builder.up();
        } catch (Exception e) {
            builder.message("cannot connect to the broker " + description + ": " + e.getMessage()).error(e).down();
        }
    }
}
