package dev.mailroute.observability;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;

/**
 * Deliveries per minute over the last minute, for the operator's overview: a count sampled every
 * few seconds ({@link #SAMPLE_MILLIS}), the samples of the last minute kept. Before a minute has
 * passed since the start, the rate is over the time there is.
 */
final class DeliveryRate {

    static final long SAMPLE_MILLIS = 5_000;
    private static final long WINDOW_MILLIS = 60_000;

    private final LongSupplier count;
    private final LongSupplier clock;
    /** {time, count}, oldest first. */
    private final Deque<long[]> samples = new ArrayDeque<>();

    DeliveryRate(LongSupplier count, LongSupplier clock) {
        this.count = count;
        this.clock = clock;
        sample();
    }

    synchronized void sample() {
        long now = clock.getAsLong();
        samples.addLast(new long[] {now, count.getAsLong()});
        // the oldest kept is at most a minute old, and there is always one
        while (samples.size() > 1 && now - samples.peekFirst()[0] > WINDOW_MILLIS) {
            samples.removeFirst();
        }
    }

    /** Deliveries per minute since the oldest sample (at most a minute ago); 0 before the first sample is a second old. */
    synchronized double perMinute() {
        long[] oldest = samples.peekFirst();
        long elapsed = clock.getAsLong() - oldest[0];
        if (elapsed < 1_000) {
            return 0;
        }
        return (count.getAsLong() - oldest[1]) * 60_000.0 / elapsed;
    }
}
