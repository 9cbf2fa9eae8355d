package dev.mailroute.ledger;

import java.util.Map;

import dev.mailroute.observability.AdvisoryHealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * The ledger in {@code /observe/health}: up, with a warning while it is behind — the database
 * unreachable, or events dropped because the buffer was full. A warning, not down: mail flows
 * without the ledger, so neither readiness nor liveness depends on it.
 */
public final class LedgerHealthCheck extends AdvisoryHealthCheck {

    private final LedgerWriter writer;
    private final String kind;

    /** @param kind sqlite or postgresql: the health answer is open to probes, so no address */
    public LedgerHealthCheck(LedgerWriter writer, String kind) {
        super("ledger");
        this.writer = writer;
        this.kind = kind;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("ledger", kind);
        builder.detail("buffered", writer.buffered());
        String problem = writer.problem();
        if (problem != null) {
            warn(builder, problem);
        }
        builder.up();
    }
}
