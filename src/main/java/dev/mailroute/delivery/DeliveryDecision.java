package dev.mailroute.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.mailroute.delivery.DeliveryFailure.RecipientReply;

/**
 * What becomes of a failed delivery attempt, decided from the classified failure and the
 * message's history alone — no exchange, no clock, no I/O — so that each rule can be tested by
 * itself. {@link DeliveryOutcomes} carries it out.
 *
 * @param hold the relay refused mailroute itself: keep the message queued, untouched
 * @param kind transient, permanent, partial, expired (or configuration with hold)
 * @param reason one line for the log and the failed/ record
 * @param park recipients parked in failed/ (refused for good, or expired)
 * @param retry recipients to try again, after {@code retryDelayMillis}
 * @param attempts attempts made, this one included
 * @param firstAttempt when the first attempt was made (epoch millis)
 */
public record DeliveryDecision(boolean hold, String kind, String reason, List<RecipientReply> park,
                               List<RecipientReply> retry, long retryDelayMillis, int attempts, long firstAttempt) {

    /**
     * @param previousAttempts attempts made before this one
     * @param firstAttempt when the first of them was made, or null when this is the first
     * @param now when this attempt failed
     */
    public static DeliveryDecision decide(DeliveryFailure failure, int previousAttempts, Long firstAttempt, long now,
                                          RetryPolicy policy) {
        int attempts = previousAttempts + 1;
        long first = firstAttempt == null ? now : firstAttempt;
        String kind = failure.kind().name().toLowerCase(Locale.ROOT);
        if (failure.configuration()) {
            return new DeliveryDecision(true, kind, failure.reason(), List.of(), List.of(), -1, previousAttempts, first);
        }
        List<RecipientReply> park = failure.failed();
        List<RecipientReply> retry = failure.retry();
        String reason = failure.reason();
        if (!retry.isEmpty() && policy.expired(first, now)) {
            reason = "expired: still not delivered " + Duration.ofMillis(now - first).toSeconds()
                     + " s after the first of " + attempts + " attempts (mailroute.retry.maxAge); last error: "
                     + failure.reason();
            kind = "expired";
            List<RecipientReply> all = new ArrayList<>(park);
            all.addAll(retry);
            park = List.copyOf(all);
            retry = List.of();
        }
        long delay = retry.isEmpty() ? -1 : policy.delayAfter(attempts);
        return new DeliveryDecision(false, kind, reason, park, retry, delay, attempts, first);
    }

    public boolean parks() {
        return !park.isEmpty();
    }

    public boolean retries() {
        return !retry.isEmpty();
    }
}
