package dev.mailroute.config;

import dev.mailroute.ledger.Ledger;
import dev.mailroute.ledger.LedgerDatabase;
import dev.mailroute.ledger.LedgerHealthCheck;
import dev.mailroute.ledger.LedgerPruner;
import dev.mailroute.ledger.LedgerSettings;
import dev.mailroute.ledger.LedgerWriter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message ledger: its database (pool and schema), the writer the stages hand events to
 * ({@code ledger}), the pruner, the health check ({@code ledgerHealthCheck}). Off, the stages get
 * a ledger that does nothing.
 */
final class LedgerWiring {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerWiring.class);
    /** How often the pruner looks for what has outlived mailroute.ledger.retention. */
    private static final long PRUNE_EVERY_MILLIS = 10 * 60_000;

    private LedgerWiring() {
    }

    /** @return the ledger, and its database for the status API (null when the ledger is off) */
    static Wired wire(CamelContext context, LedgerSettings settings, MeterRegistry meters) throws Exception {
        if (!settings.enabled()) {
            context.getRegistry().bind("ledger", Ledger.off());
            LOG.info("ledger off (mailroute.ledger.enabled=false): the status API and track have nothing to show");
            return new Wired(Ledger.off(), null);
        }
        LedgerDatabase database = new LedgerDatabase(settings);
        context.addService(new Closing(database), true, false);
        LedgerWriter writer = new LedgerWriter(database, settings.buffer(), meters);
        context.addService(writer, true, false);
        context.addService(new LedgerPruner(database, settings.retentionMillis(),
                Math.min(PRUNE_EVERY_MILLIS, Math.max(1000, settings.retentionMillis() / 10)),
                System::currentTimeMillis, context.getExecutorServiceManager(), meters), true, false);
        Ledger ledger = new Ledger(writer, settings.subjects());
        context.getRegistry().bind("ledger", ledger);
        context.getRegistry().bind("ledgerHealthCheck", new LedgerHealthCheck(writer, database.kind()));
        LOG.info("ledger in {}{}", database.where(), settings.subjects() ? "" : " (subjects not kept)");
        return new Wired(ledger, database);
    }

    record Wired(Ledger ledger, LedgerDatabase database) {
    }

    /** Closes the pool when the context stops, after the writer (services stop in reverse order). */
    private static final class Closing extends ServiceSupport {
        private final LedgerDatabase database;

        Closing(LedgerDatabase database) {
            this.database = database;
        }

        @Override
        protected void doStop() {
            database.close();
        }
    }
}
