package dev.mailroute.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import dev.mailroute.observability.LogText;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forgets what is older than {@code mailroute.ledger.retention}, in the background, in small
 * batches (each its own short transaction), so that pruning a large backlog never holds the
 * database's write lock for long — on SQLite there is one writer at a time, and the ledger writer
 * is it the rest of the time.
 *
 * <p>Each table is cut by its own time: a message by when it was accepted, a recipient by when its
 * state last changed, an attempt by when it was made.
 */
public final class LedgerPruner extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerPruner.class);
    static final int BATCH = 500;

    private static final String[] DELETES = {
        "DELETE FROM ledger_attempt WHERE (mail_id, address, attempt) IN"
        + " (SELECT mail_id, address, attempt FROM ledger_attempt WHERE at < ? LIMIT " + BATCH + ")",
        "DELETE FROM ledger_recipient WHERE (mail_id, address) IN"
        + " (SELECT mail_id, address FROM ledger_recipient WHERE changed_at < ? LIMIT " + BATCH + ")",
        "DELETE FROM ledger_message WHERE id IN (SELECT id FROM ledger_message WHERE accepted_at < ? LIMIT " + BATCH + ")",
    };

    private final LedgerDatabase database;
    private final long retentionMillis;
    private final long intervalMillis;
    private final LongSupplier clock;
    private final ExecutorServiceManager executors;
    private final Counter pruned;
    private ScheduledExecutorService timer;

    /** @param intervalMillis how often a pruning round runs */
    public LedgerPruner(LedgerDatabase database, long retentionMillis, long intervalMillis, LongSupplier clock,
                        ExecutorServiceManager executors, MeterRegistry registry) {
        this.database = database;
        this.retentionMillis = retentionMillis;
        this.intervalMillis = intervalMillis;
        this.clock = clock;
        this.executors = executors;
        this.pruned = Counter.builder("mailroute.ledger.pruned")
                .description("ledger rows removed because they were older than mailroute.ledger.retention")
                .register(registry);
    }

    @Override
    protected void doStart() {
        timer = executors.newSingleThreadScheduledExecutor(this, "mailroute-ledger-pruner");
        timer.scheduleWithFixedDelay(this::round, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        if (timer != null) {
            executors.shutdownNow(timer);
            timer = null;
        }
    }

    /** One round: batch after batch until nothing older than the retention is left. */
    void round() {
        long cutoff = clock.getAsLong() - retentionMillis;
        long total = 0;
        try {
            database.migrate();
            try (Connection connection = database.connection()) {
                connection.setAutoCommit(true);
                for (String delete : DELETES) {
                    int removed;
                    do {
                        try (PreparedStatement statement = connection.prepareStatement(delete)) {
                            statement.setLong(1, cutoff);
                            removed = statement.executeUpdate();
                        }
                        total += removed;
                        pruned.increment(removed);
                    } while (removed == BATCH && !Thread.currentThread().isInterrupted());
                }
            }
            if (total > 0) {
                LOG.info("ledger: pruned {} rows older than mailroute.ledger.retention", total);
            }
        } catch (SQLException | RuntimeException e) {
            // the writer says when the database is gone; the next round tries again
            LOG.debug("ledger: pruning skipped: {}", LogText.oneLine(e.getMessage(), 300));
        }
    }
}
