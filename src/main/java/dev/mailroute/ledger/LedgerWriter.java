package dev.mailroute.ledger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.mailroute.observability.LogText;
import dev.mailroute.settings.UrlCredentials;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes ledger events off the mail's path: a stage hands an event over without waiting
 * ({@link #offer}), one thread writes what has gathered, in batches, each in one transaction.
 *
 * <p>The database may be slow or gone; mail must not wait for it. Events wait in a bounded buffer
 * while the writer retries with a growing pause. The bound ({@code mailroute.ledger.buffer}) counts
 * recipient entries, not events — an event of a message to a thousand recipients takes a thousand —
 * so that it bounds memory (about 350 bytes an entry). When it is reached, new events are dropped and
 * counted ({@code mailroute_ledger_dropped_total}), the health check warns for the next
 * {@link #WARN_MILLIS}, and the log says how many. What is buffered when
 * the process is killed is lost: the writer writes what has gathered within {@link #GATHER_MILLIS}
 * of an event, so that is at most what arrived in that time and during the last write (well under a
 * second while the database keeps up).
 */
public final class LedgerWriter extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerWriter.class);
    private static final int BATCH = 1000;
    /**
     * How long a batch gathers events after its first. Each commit writes every page of the three
     * tables and their nine indexes that its rows touched: written at once, a batch held a few events
     * and the writer took 18% of mailroute's CPU on the SMTP listener path (profile of 2026-12-07,
     * 4 KB, about 800 msg/s), half of it in commits; gathering for 100 ms, 10%. Side by side with the
     * ledger off, the ledger then cost 0.10 ms of CPU per message on that path instead of 0.38.
     */
    private static final long GATHER_MILLIS = 100;
    /** How often a gathering writer looks whether a batch's worth is there or a stop has come. */
    private static final long GATHER_SLICE_MILLIS = 10;
    private static final long FIRST_PAUSE_MILLIS = 500;
    /** A database back after an outage is written to within this (a retry costs one failed connect). */
    private static final long LONGEST_PAUSE_MILLIS = 5_000;
    private static final long STOP_WAIT_MILLIS = 5_000;
    /** A batch the database refused this often while it was reachable is written event by event. */
    private static final int TRIES_BEFORE_ONE_BY_ONE = 3;

    /** How long the health check warns after the last dropped event. */
    static final long WARN_MILLIS = 10 * 60_000;
    /** A drop is logged at most this often while it goes on. */
    private static final long DROP_LOG_MILLIS = 60_000;

    private final LedgerDatabase database;
    private final BlockingQueue<LedgerEvent> buffer = new LinkedBlockingQueue<>();
    private final long capacity;
    private final AtomicLong held = new AtomicLong();
    private volatile long lastDropAt;
    private volatile long lastDropLogAt;
    private final Counter dropped;
    private final Counter written;
    private final AtomicLong droppedInOutage = new AtomicLong();
    private volatile String problem;
    private volatile Thread thread;
    private volatile boolean stopping;

    /** @param capacity recipient entries that may wait ({@code mailroute.ledger.buffer}) */
    public LedgerWriter(LedgerDatabase database, int capacity, MeterRegistry registry) {
        this.database = database;
        this.capacity = capacity;
        this.dropped = Counter.builder("mailroute.ledger.dropped")
                .description("ledger events dropped because the buffer was full (the database slow or gone)")
                .register(registry);
        this.written = Counter.builder("mailroute.ledger.written")
                .description("ledger events written to the database").register(registry);
        Gauge.builder("mailroute.ledger.buffered", buffer, BlockingQueue::size)
                .description("ledger events waiting to be written").register(registry);
    }

    /** Hands an event over; never waits. A full buffer drops it, counted. */
    public void offer(LedgerEvent event) {
        long weight = weight(event);
        if (held.addAndGet(weight) > capacity) {
            held.addAndGet(-weight);
            dropped.increment();
            droppedInOutage.incrementAndGet();
            lastDropAt = System.currentTimeMillis();
            return;
        }
        buffer.add(event);
    }

    /** Recipient entries an event holds: what its memory grows with. */
    private static long weight(LedgerEvent event) {
        int entries = event instanceof LedgerEvent.Accepted a ? a.recipients().size()
                : event instanceof LedgerEvent.Attempt t ? t.outcomes().size()
                // an operation's ids are short strings: about ten to a recipient entry's memory
                : ((LedgerEvent.Operated) event).ids() == null ? 1 : ((LedgerEvent.Operated) event).ids().size() / 10;
        return Math.max(1, entries);
    }

    /**
     * Why the ledger is behind — cannot write, or dropped events in the last {@link #WARN_MILLIS} —
     * or null while it keeps up. Says nothing of the database's address or its driver's words: the
     * health answer is open to probes; the log has the details.
     */
    public String problem() {
        String current = problem == null ? null : "cannot write to the ledger database (the log says why)";
        if (System.currentTimeMillis() - lastDropAt < WARN_MILLIS) {
            return (current == null ? "" : current + "; ") + (long) dropped.count() + " events dropped since the start,"
                   + " the last " + (System.currentTimeMillis() - lastDropAt) / 1000 + " s ago (the buffer was full:"
                   + " mailroute.ledger.buffer)";
        }
        return current;
    }

    public int buffered() {
        return buffer.size();
    }

    @Override
    protected void doStart() {
        stopping = false;
        thread = new Thread(this::run, "mailroute-ledger-writer");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    protected void doStop() throws InterruptedException {
        stopping = true;
        Thread writer = thread;
        if (writer != null) {
            // a last chance to write what is buffered, bounded: a stop never hangs on the database
            writer.join(STOP_WAIT_MILLIS);
            writer.interrupt();
            writer.join(STOP_WAIT_MILLIS);
        }
        thread = null;
        if (!buffer.isEmpty()) {
            LOG.warn("ledger: {} events were not written to {} before the stop", buffer.size(), database.where());
        }
        long lost = droppedInOutage.get();
        if (lost > 0) {
            LOG.warn("ledger: {} events were dropped (the buffer was full) and not reported before the stop", lost);
        }
    }

    private void run() {
        List<LedgerEvent> batch = new ArrayList<>(BATCH);
        long pause = FIRST_PAUSE_MILLIS;
        int refusals = 0;
        while (!(stopping && buffer.isEmpty() && batch.isEmpty())) {
            try {
                if (batch.isEmpty()) {
                    LedgerEvent first = buffer.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    long weight = weight(first);
                    batch.add(first);
                    gather();
                    // up to BATCH recipient entries: a batch is bounded like the buffer
                    LedgerEvent next;
                    while (weight < BATCH && (next = buffer.poll()) != null) {
                        batch.add(next);
                        weight += weight(next);
                    }
                    // the batch holds them now: room in the buffer for as many again
                    held.addAndGet(-weight);
                }
                if (refusals >= TRIES_BEFORE_ONE_BY_ONE) {
                    writeOneByOne(batch);
                } else {
                    write(batch);
                }
                batch.clear();
                pause = FIRST_PAUSE_MILLIS;
                refusals = 0;
            } catch (InterruptedException e) {
                return;
            } catch (Refused e) {
                refusals++;
                behind(e.getCause());
                pause = pause(pause);
                if (pause < 0) {
                    return;
                }
            } catch (Exception e) {
                behind(e);
                pause = pause(pause);
                if (pause < 0) {
                    return;
                }
            }
        }
    }

    /**
     * Lets events gather in the buffer for {@link #GATHER_MILLIS} after a batch's first, or until a
     * batch's worth is there, or the stop. It sleeps rather than takes them as they come: a writer
     * waiting in the buffer's poll is woken by every event that finds the buffer empty — one
     * wake-up of this thread, and a signal from the mail's thread, per event. Measured side by side
     * with the ledger off on 2026-12-07 (4 rounds of 5,000 x 4 KB each, after 25,000): the ledger's
     * CPU per message on the SMTP listener path +0.15 ms sleeping, +0.28 taking them as they came
     * (+0.10 in an earlier sitting); on the HTTP batch path +0.20 both ways: within the noise.
     */
    private void gather() throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GATHER_MILLIS);
        long left;
        while (!stopping && held.get() < BATCH && (left = until - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(GATHER_SLICE_MILLIS)));
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    /** Waits, and answers the next pause; -1 when the writer is to stop. */
    private long pause(long pause) {
        if (stopping) {
            return -1;
        }
        try {
            Thread.sleep(pause);
        } catch (InterruptedException stop) {
            return -1;
        }
        return Math.min(LONGEST_PAUSE_MILLIS, pause * 2);
    }

    private void write(List<LedgerEvent> batch) throws Exception {
        database.migrate();
        try (Connection connection = database.connection()) {
            try {
                LedgerStore.write(connection, batch);
            } catch (SQLException e) {
                if (refused(e)) {
                    throw new Refused(e);
                }
                throw e; // gone, busy, slow: an outage, the whole batch again later
            } catch (RuntimeException e) {
                // a bug in an event, not an outage: the same batch would fail again for ever
                throw new Refused(e);
            }
        }
        caughtUp(batch.size());
    }

    /**
     * A batch refused again and again while the database answers: each event alone, so that one
     * the database cannot take (it should not happen: every text is bounded) does not hold up the
     * rest for ever. An event refused alone is dropped and counted.
     */
    private void writeOneByOne(List<LedgerEvent> batch) throws Exception {
        database.migrate();
        int written = 0;
        try (Connection connection = database.connection()) {
            for (LedgerEvent event : batch) {
                try {
                    LedgerStore.write(connection, List.of(event));
                    written++;
                } catch (SQLException | RuntimeException e) {
                    if (e instanceof SQLException sql && !refused(sql)) {
                        throw sql; // an outage: the whole batch again later (each write is an upsert)
                    }
                    dropped.increment();
                    LOG.error("ledger: the database refused the event for message {} and it was dropped: {}",
                            LogText.oneLine(event.id(), 64), LogText.oneLine(e.getMessage(), 300));
                }
            }
        }
        caughtUp(written);
    }

    /**
     * The database took the statement and refused its data (SQL state class 22, data exception, or
     * 23, integrity constraint): writing it again will not help. Anything else — connection lost,
     * database locked or busy — is an outage that passes.
     */
    private static boolean refused(SQLException e) {
        if (e instanceof org.sqlite.SQLiteException sqlite) {
            // SQLite gives no SQL state: its primary result codes TOOBIG 18, CONSTRAINT 19, MISMATCH 20, RANGE 25
            int primary = sqlite.getResultCode().code & 0xff;
            return primary == 18 || primary == 19 || primary == 20 || primary == 25;
        }
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    private static final class Refused extends Exception {
        Refused(Exception cause) {
            super(cause);
        }
    }

    private void caughtUp(int count) {
        written.increment(count);
        long now = System.currentTimeMillis();
        if (problem != null) {
            long lost = droppedInOutage.getAndSet(0);
            problem = null;
            lastDropLogAt = now;
            LOG.warn("ledger: writing to {} again; {} events were dropped while it was behind", database.where(), lost);
        } else if (droppedInOutage.get() > 0 && now - lastDropLogAt >= DROP_LOG_MILLIS) {
            // the database answers but cannot keep up: said once a minute, not after every batch
            long lost = droppedInOutage.getAndSet(0);
            lastDropLogAt = now;
            LOG.warn("ledger: {} events were dropped because {} could not keep up (mailroute.ledger.buffer)", lost,
                    database.where());
        }
    }

    /**
     * Why a write failed, without the data: a batch's exception quotes the statement it was
     * writing, so the one behind it (the connection's) is what is told.
     */
    private static String reason(Throwable e) {
        Throwable told = e;
        if (e instanceof java.sql.BatchUpdateException batch && batch.getNextException() != null) {
            told = batch.getNextException();
        }
        String state = told instanceof SQLException sql && sql.getSQLState() != null ? " (SQL state "
                + sql.getSQLState() + ")" : "";
        return told.getClass().getSimpleName() + ": " + told.getMessage() + state;
    }

    /** Logged once per outage, not once per retry. */
    private void behind(Throwable e) {
        String reason = LogText.oneLine(UrlCredentials.mask(reason(e)), 300);
        if (problem == null) {
            LOG.warn("ledger: cannot write to {}: {}; events wait in memory (up to mailroute.ledger.buffer),"
                     + " mail is not held up", database.where(), reason);
        }
        problem = "cannot write to the ledger: " + reason;
    }
}
