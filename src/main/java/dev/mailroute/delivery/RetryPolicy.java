package dev.mailroute.delivery;

import dev.mailroute.settings.SettingsReader;

/**
 * When to try a deferred message again ({@code mailroute.retry.*}): exponential backoff with a
 * cap, and a maximum age after which it is parked as failed — the MTA practice of RFC 5321
 * §4.5.4.1 and Postfix (minimal_backoff_time, maximal_backoff_time, maximal_queue_lifetime). The
 * embedded broker uses the same delays for a delivery that was rolled back.
 */
public record RetryPolicy(long initialDelayMillis, double multiplier, long maxDelayMillis, long maxAgeMillis) {

    public static RetryPolicy from(SettingsReader r) {
        return new RetryPolicy(r.millis("mailroute.retry.initialDelay"), r.decimal("mailroute.retry.multiplier"),
                r.millis("mailroute.retry.maxDelay"), r.millis("mailroute.retry.maxAge"));
    }

    /** The wait after the given number of failed attempts (1 = after the first). */
    public long delayAfter(int attempts) {
        double delay = initialDelayMillis * Math.pow(multiplier, Math.max(0, attempts - 1));
        return (long) Math.min(delay, maxDelayMillis);
    }

    /** True when a message first tried at firstAttempt may not be tried again at now. */
    public boolean expired(long firstAttempt, long now) {
        return now - firstAttempt >= maxAgeMillis;
    }
}
