package dev.mailroute.notify;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * At most so many reports to one sender address in a clock hour, on this instance: a runaway
 * application whose every message bounces gets the first reports, not one per message.
 */
final class SenderRateCap {

    private static final long HOUR_MILLIS = 3_600_000;
    /** Senders remembered at most; past it, those of earlier hours are forgotten first. */
    private static final int SENDERS = 10_000;

    private final int maxPerHour;
    private final LongSupplier clock;
    private final Map<String, long[]> hourAndCount = new HashMap<>();

    SenderRateCap(int maxPerHour, LongSupplier clock) {
        this.maxPerHour = maxPerHour;
        this.clock = clock;
    }

    /** Counts one report to this sender; false when the sender has had its share this hour. */
    synchronized boolean take(String sender) {
        long hour = clock.getAsLong() / HOUR_MILLIS;
        if (hourAndCount.size() >= SENDERS) {
            hourAndCount.values().removeIf(window -> window[0] != hour);
        }
        String key = sender.toLowerCase(Locale.ROOT);
        if (hourAndCount.size() >= SENDERS && !hourAndCount.containsKey(key)) {
            return false; // 10,000 senders with reports in one hour: no more senders until the next
        }
        long[] window = hourAndCount.computeIfAbsent(key, s -> new long[] {hour, 0});
        if (window[0] != hour) {
            window[0] = hour;
            window[1] = 0;
        }
        if (window[1] >= maxPerHour) {
            return false;
        }
        window[1]++;
        return true;
    }
}
