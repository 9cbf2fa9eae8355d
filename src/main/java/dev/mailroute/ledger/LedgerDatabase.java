package dev.mailroute.ledger;

import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.mailroute.settings.UrlCredentials;
import org.flywaydb.core.Flyway;

/**
 * The ledger's database: a pool of connections (HikariCP) and its schema, brought up to date by
 * Flyway from {@code db/ledger} when the gateway starts. SQLite runs in WAL mode, so that the
 * status API reads while the writer writes; PostgreSQL is used as the operator set it up.
 *
 * <p>The pool does not fail the start when the database cannot be reached (PostgreSQL down at
 * boot): mail flows without it, and the migration is tried again before the first write
 * ({@link #migrate()}).
 */
public final class LedgerDatabase implements AutoCloseable {

    private final LedgerSettings settings;
    private final HikariDataSource pool;
    private volatile boolean migrated;

    public LedgerDatabase(LedgerSettings settings) throws IOException {
        this.settings = settings;
        HikariConfig config = new HikariConfig();
        config.setPoolName("mailroute-ledger");
        config.setJdbcUrl(settings.jdbcUrl());
        if (settings.sqlite()) {
            Files.createDirectories(settings.file().getParent());
            // sqlite-jdbc reads its pragmas from the connection properties
            config.addDataSourceProperty("journal_mode", "WAL");
            // NORMAL in WAL mode: a power loss may lose the last commits, never corrupt the file; the
            // queue, not the ledger, is what must survive a crash
            config.addDataSourceProperty("synchronous", "NORMAL");
            config.addDataSourceProperty("busy_timeout", "5000");
            // one writer plus the status API's readers
            config.setMaximumPoolSize(4);
        } else {
            config.setMaximumPoolSize(4);
            // the driver's errors would otherwise quote the values of a failed statement: subjects,
            // addresses — not for a log
            config.addDataSourceProperty("logServerErrorDetail", "false");
            // a database that stops answering mid-write (a partition that drops packets) would hold the
            // writer in a socket read for the kernel's whole timeout (minutes): 30 s, then retry
            config.addDataSourceProperty("connectTimeout", "5");
            config.addDataSourceProperty("socketTimeout", "30");
            config.addDataSourceProperty("tcpKeepAlive", "true");
            if (settings.username() != null) {
                config.setUsername(settings.username());
            }
            if (settings.password() != null) {
                config.setPassword(settings.password().reveal());
            }
        }
        // never block a start or a write for long on a database that is gone: the writer retries
        config.setConnectionTimeout(2000);
        config.setValidationTimeout(1000);
        config.setInitializationFailTimeout(-1);
        this.pool = new HikariDataSource(config);
    }

    public DataSource dataSource() {
        return pool;
    }

    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    public boolean sqlite() {
        return settings.sqlite();
    }

    /** sqlite or postgresql: what the open health answer may say of the ledger. */
    public String kind() {
        return settings.sqlite() ? "sqlite" : "postgresql";
    }

    /** Where the ledger is, for logs and doctor: the SQLite file, or the URL without credentials. */
    public String where() {
        return settings.sqlite() ? settings.file().toString() : UrlCredentials.mask(settings.url());
    }

    /** Brings the schema up to date, once per process; a failure is thrown, to be tried again. */
    public void migrate() {
        if (migrated) {
            return;
        }
        synchronized (this) {
            if (!migrated) {
                Flyway.configure().dataSource(pool).locations("classpath:db/ledger")
                        .table("ledger_schema_history").load().migrate();
                migrated = true;
            }
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
