package dev.mailroute.ledger;

import java.nio.file.Path;

import dev.mailroute.settings.Secret;
import dev.mailroute.settings.SettingsReader;

/**
 * The message ledger ({@code mailroute.ledger.*}): where it is kept — a SQLite file in the data
 * folder, or the PostgreSQL database {@code url} names, shared by every instance on one broker —
 * whether it keeps subjects, how long it keeps a message, and how many events may wait in memory
 * while the database is slow or gone.
 *
 * @param url a {@code jdbc:postgresql:} URL, or null for the SQLite {@code file}
 * @param password the database password, or null
 */
public record LedgerSettings(boolean enabled, String url, Path file, String username, Secret password,
                             boolean subjects, long retentionMillis, int buffer) {

    public static LedgerSettings from(SettingsReader r) {
        String url = r.optional("mailroute.ledger.url");
        if (url != null && !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("mailroute.ledger.url must be a jdbc:postgresql://host:port/database URL"
                                               + " (empty keeps the ledger in mailroute.ledger.file)");
        }
        return new LedgerSettings(r.bool("mailroute.ledger.enabled"), url, r.path("mailroute.ledger.file"),
                r.optional("mailroute.ledger.username"), r.secret("mailroute.ledger.password"),
                r.bool("mailroute.ledger.subjects"), r.millis("mailroute.ledger.retention"),
                r.atLeast("mailroute.ledger.buffer", 1000));
    }

    /** SQLite unless a PostgreSQL URL is set. */
    public boolean sqlite() {
        return url == null;
    }

    /** The JDBC URL the pool connects to. */
    public String jdbcUrl() {
        return sqlite() ? "jdbc:sqlite:" + file : url;
    }
}
