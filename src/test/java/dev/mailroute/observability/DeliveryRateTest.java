package dev.mailroute.observability;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The overview's delivery rate: over the last minute once there is one, over the time there is before. */
class DeliveryRateTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final AtomicLong delivered = new AtomicLong(500);
    private final DeliveryRate rate = new DeliveryRate(delivered::get, now::get);

    @Test
    void beforeAMinuteTheRateIsOverTheTimeThereIs() {
        assertThat(rate.perMinute()).as("no time yet").isZero();
        advance(10);
        delivered.addAndGet(20);
        assertThat(rate.perMinute()).isEqualTo(120.0);
    }

    @Test
    void afterAMinuteOnlyTheLastMinuteCounts() {
        // a burst of 600 in the first 5 s, then 1 every 5 s for two minutes
        advance(5);
        delivered.addAndGet(600);
        for (int i = 0; i < 24; i++) {
            delivered.incrementAndGet();
            advance(5);
        }
        assertThat(rate.perMinute()).isEqualTo(12.0);
        // nothing for a minute and more: 0, not the burst's average
        for (int i = 0; i < 14; i++) {
            advance(5);
        }
        assertThat(rate.perMinute()).isZero();
    }

    /** Seconds pass, with a sample every 5 of them, as the summary timer takes them. */
    private void advance(int seconds) {
        for (int s = 0; s < seconds; s += 5) {
            now.addAndGet(5_000);
            rate.sample();
        }
    }
}
