package dev.mailroute.notify.webhook;

import java.util.Map;

import dev.mailroute.observability.AdvisoryHealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * The webhooks in the health answer: each endpoint's oldest unsent event, and a warning when an
 * endpoint is disabled (it answered 410) or an event has waited longer than {@link #LATE_SECONDS}.
 * Neither readiness nor liveness: a receiver that is down must not take mail away. The answer is
 * open to probes, so it names endpoints, never their URLs or secrets.
 */
public final class WebhookHealthCheck extends AdvisoryHealthCheck {

    /** An event this old unsent is worth a look: the receiver has been down for a while. */
    static final long LATE_SECONDS = 15 * 60;

    private final WebhookDispatch dispatch;
    private final WebhookSettings settings;

    public WebhookHealthCheck(WebhookDispatch dispatch, WebhookSettings settings) {
        super("webhooks");
        this.dispatch = dispatch;
        this.settings = settings;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("endpoints", settings.endpoints().size());
        StringBuilder problems = new StringBuilder();
        Map<String, String> disabled = dispatch.disabled();
        dispatch.oldestPendingSeconds().forEach((endpoint, age) -> {
            builder.detail("oldestPendingSeconds." + endpoint, age);
            if (disabled.containsKey(endpoint)) {
                problems.append(problems.isEmpty() ? "" : "; ").append(endpoint)
                        .append(" is disabled: its receiver answered ").append(disabled.get(endpoint))
                        .append(" (its events wait; restart once it is fixed)");
            } else if (age > LATE_SECONDS) {
                problems.append(problems.isEmpty() ? "" : "; ").append(endpoint).append(" has not taken an event for ")
                        .append(age).append(" s");
            }
        });
        if (!problems.isEmpty()) {
            warn(builder, problems.toString());
        }
        builder.up();
    }
}
