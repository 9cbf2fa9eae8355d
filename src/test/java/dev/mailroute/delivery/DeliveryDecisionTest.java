package dev.mailroute.delivery;

import java.time.Duration;
import java.util.List;

import dev.mailroute.delivery.DeliveryFailure.RecipientReply;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The retry schedule and what a failed attempt decides, without a gateway. */
class DeliveryDecisionTest {

    private static final RetryPolicy DEFAULTS = new RetryPolicy(Duration.ofSeconds(30).toMillis(), 2,
            Duration.ofMinutes(30).toMillis(), Duration.ofDays(2).toMillis());

    private static final RecipientReply A = new RecipientReply("a@example.com", 451, "4.3.0", "451 4.3.0 later");
    private static final RecipientReply B = new RecipientReply("b@example.com", 550, "5.1.1", "550 5.1.1 unknown");

    @Test
    void theDelayDoublesFromTheInitialDelayUpToTheCap() {
        assertThat(List.of(1, 2, 3, 4, 5, 6, 7, 8, 20).stream().map(DEFAULTS::delayAfter).toList())
                .containsExactly(30_000L, 60_000L, 120_000L, 240_000L, 480_000L, 960_000L, 1_800_000L, 1_800_000L,
                        1_800_000L);
        RetryPolicy flat = new RetryPolicy(1000, 1, 5000, 60_000);
        assertThat(flat.delayAfter(1)).isEqualTo(flat.delayAfter(9)).isEqualTo(1000);
        RetryPolicy fractional = new RetryPolicy(1000, 1.5, 10_000, 60_000);
        assertThat(fractional.delayAfter(3)).isEqualTo(2250);
    }

    @Test
    void aMessageExpiresAtMaxAgeAfterItsFirstAttempt() {
        long first = 1_000_000;
        long maxAge = Duration.ofDays(2).toMillis();
        assertThat(DEFAULTS.expired(first, first + maxAge - 1)).isFalse();
        assertThat(DEFAULTS.expired(first, first + maxAge)).isTrue();
    }

    @Test
    void aTransientFailureIsRetriedWithTheDelayForItsAttemptNumber() {
        DeliveryDecision first = DeliveryDecision.decide(failure(List.of(A), List.of()), 0, null, 5000, DEFAULTS);
        assertThat(first.retry()).containsExactly(A);
        assertThat(first.park()).isEmpty();
        assertThat(first.retryDelayMillis()).isEqualTo(30_000);
        assertThat(first.attempts()).isEqualTo(1);
        assertThat(first.firstAttempt()).as("the first attempt is this one").isEqualTo(5000);
        assertThat(first.kind()).isEqualTo("transient");

        DeliveryDecision third = DeliveryDecision.decide(failure(List.of(A), List.of()), 2, 5000L, 200_000, DEFAULTS);
        assertThat(third.retryDelayMillis()).isEqualTo(120_000);
        assertThat(third.firstAttempt()).isEqualTo(5000);
    }

    @Test
    void aPartialFailureParksTheRefusedAndRetriesTheDeferred() {
        DeliveryDecision decision = DeliveryDecision.decide(failure(List.of(A), List.of(B)), 0, null, 0, DEFAULTS);
        assertThat(decision.park()).containsExactly(B);
        assertThat(decision.retry()).containsExactly(A);
        assertThat(decision.kind()).isEqualTo("partial");
        assertThat(decision.parks()).isTrue();
        assertThat(decision.retries()).isTrue();
    }

    @Test
    void anExpiredMessageParksEveryRecipientLeftAndSaysWhy() {
        long first = 0;
        long now = Duration.ofDays(2).toMillis() + 1;
        DeliveryDecision decision = DeliveryDecision.decide(failure(List.of(A), List.of(B)), 40, first, now, DEFAULTS);
        assertThat(decision.retries()).isFalse();
        assertThat(decision.retryDelayMillis()).isEqualTo(-1);
        assertThat(decision.park()).containsExactlyInAnyOrder(A, B);
        assertThat(decision.kind()).isEqualTo("expired");
        assertThat(decision.reason()).contains("after the first of 41 attempts").contains("mailroute.retry.maxAge")
                .contains("last error: reason");
    }

    @Test
    void aRefusalOfMailrouteItselfHoldsTheMessageAndCountsNoAttempt() {
        DeliveryFailure refused = new DeliveryFailure(true, true, 535, "5.7.8", "535 5.7.8 bad credentials",
                "the relay refused authentication", List.of(), List.of(A), List.of());
        DeliveryDecision decision = DeliveryDecision.decide(refused, 3, 1000L, 2000, DEFAULTS);
        assertThat(decision.hold()).isTrue();
        assertThat(decision.attempts()).isEqualTo(3);
        assertThat(decision.parks()).isFalse();
        assertThat(decision.retries()).isFalse();
    }

    private static DeliveryFailure failure(List<RecipientReply> retry, List<RecipientReply> failed) {
        return new DeliveryFailure(false, false, 451, "4.3.0", "451 4.3.0 later", "reason", List.of(), retry, failed);
    }
}
