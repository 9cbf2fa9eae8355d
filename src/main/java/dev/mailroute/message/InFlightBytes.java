package dev.mailroute.message;

import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * How many bytes of messages mailroute holds in memory at once ({@code mailroute.message.maxInFlight}):
 * HTTP requests and SMTP messages as they arrive, inbox files and JMS submissions, large deliveries.
 * A request is read whole before it is accepted, and accepting it takes several times its size for
 * a moment (the body, the parsed JSON, the decoded attachments, the built message); a large queued
 * message is read whole again when it is delivered. Without a bound, a few large messages at once
 * run the heap out and everybody's requests fail. With it, a request that would go over is told to
 * come back (HTTP 503 with Retry-After, SMTP 452 4.3.1) and a large delivery waits its turn; nothing
 * is lost.
 *
 * <p>One message of the largest size allowed always gets in when nothing else is held.
 */
public final class InFlightBytes {

    private final long limit;
    private long held;
    private int waiting;

    public InFlightBytes(long limit) {
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }

    public synchronized long held() {
        return held;
    }

    /** Messages waiting for room now (inbox files, JMS submissions, large deliveries): back-pressure at work. */
    public synchronized int waiting() {
        return waiting;
    }

    /** Whether {@code bytes} would fit now (another thread may take room before the caller does). */
    public synchronized boolean wouldFit(long bytes) {
        return fits(Math.min(bytes, limit));
    }

    /** Takes {@code bytes} if they fit now; the caller gives them back with {@link #release}. */
    public synchronized boolean tryTake(long bytes) {
        if (!fits(bytes)) {
            return false;
        }
        held += bytes;
        return true;
    }

    /** Takes {@code bytes}, waiting until they fit; the caller gives them back with {@link #release}. */
    public synchronized void take(long bytes) throws InterruptedException {
        if (!fits(bytes)) {
            waiting++;
            try {
                while (!fits(bytes)) {
                    wait();
                }
            } finally {
                waiting--;
            }
        }
        held += bytes;
    }

    /**
     * Takes room for a message of {@code size} bytes, waiting until it fits, and gives it back when
     * the exchange is done. Never more than the limit: a larger message is over
     * mailroute.message.maxBytes and is refused, not accepted.
     */
    public Room takeUntilDone(Exchange exchange, long size) throws InterruptedException {
        long bytes = Math.min(size, limit);
        take(bytes);
        Room room = new Room(bytes);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                room.giveBack();
            }
        });
        return room;
    }

    /**
     * Room taken for one message, given back once: when its exchange is done, or earlier by its
     * holder (an inbox file whose poll has committed: its exchange completes only after the poll
     * thread has gone on to the next file, which may be waiting for this very room).
     */
    public final class Room {
        private final long bytes;
        private boolean given;

        private Room(long bytes) {
            this.bytes = bytes;
        }

        public void giveBack() {
            synchronized (InFlightBytes.this) {
                if (!given) {
                    given = true;
                    release(bytes);
                }
            }
        }
    }

    public synchronized void release(long bytes) {
        held -= bytes;
        notifyAll();
    }

    private boolean fits(long bytes) {
        return held == 0 || held + bytes <= limit;
    }
}
