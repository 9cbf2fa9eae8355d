package dev.mailroute.ledger;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The ledger in {@code /observe/health}: up, with a warning while it is behind — the database
 * unreachable, or events dropped because the buffer was full. A warning, not down: mail flows
 * without the ledger, so neither readiness nor liveness depends on it.
 */
public final class LedgerHealthCheck extends AbstractHealthCheck {

    /** The detail that makes a check a warning in the health answer. */
    public static final String WARNING = "warning";

    private final LedgerWriter writer;
    private final String kind;

    /** @param kind sqlite or postgresql: the health answer is open to probes, so no address */
    public LedgerHealthCheck(LedgerWriter writer, String kind) {
        super("mailroute", "ledger");
        this.writer = writer;
        this.kind = kind;
    }

    @Override
    public boolean isReadiness() {
        return false;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("ledger", kind);
        builder.detail("buffered", writer.buffered());
        String problem = writer.problem();
        if (problem != null) {
            builder.detail(WARNING, true);
            builder.message(problem);
        }
        builder.up();
    }
}
