package dev.mailroute.diagnostics;

import java.util.Map;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Liveness and readiness: can mailroute open a connection to its broker right now? */
public final class BrokerHealthCheck extends AbstractHealthCheck {

    private final ConnectionFactory connectionFactory;
    private final String description;

    public BrokerHealthCheck(ConnectionFactory connectionFactory, String description) {
        super("mailroute", "broker");
        this.connectionFactory = connectionFactory;
        this.description = description;
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
