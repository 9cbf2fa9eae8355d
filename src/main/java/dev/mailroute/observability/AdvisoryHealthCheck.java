package dev.mailroute.observability;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * A check in {@code /observe/health} that tells and never takes mail away: neither readiness nor
 * liveness, always up, and a warning ({@link #warn}) when what it watches is behind — the ledger,
 * the webhooks. The health answer shows such a check as {@code WARNING} (ingress/http/HealthAnswers).
 */
public abstract class AdvisoryHealthCheck extends AbstractHealthCheck {

    /** The detail that makes an up check a warning in the health answer. */
    public static final String WARNING = "warning";

    protected AdvisoryHealthCheck(String id) {
        super("mailroute", id);
    }

    @Override
    public final boolean isReadiness() {
        return false;
    }

    @Override
    public final boolean isLiveness() {
        return false;
    }

    /** Up, with a warning and why. */
    protected static void warn(HealthCheckResultBuilder builder, String why) {
        builder.detail(WARNING, true);
        builder.message(why);
    }
}
