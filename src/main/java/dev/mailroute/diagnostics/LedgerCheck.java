package dev.mailroute.diagnostics;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import dev.mailroute.ledger.LedgerDatabase;
import dev.mailroute.ledger.LedgerSettings;
import dev.mailroute.observability.LogText;
import dev.mailroute.settings.UrlCredentials;

/**
 * The ledger: off, or its database reachable with mailroute's account and how many messages it
 * holds. The schema is not created here: doctor changes nothing (a database without the tables
 * yet is reported as such; mailroute makes them at its start).
 */
final class LedgerCheck implements DoctorCheck {

    @Override
    public void run(Situation situation, Report report) {
        LedgerSettings ledger = situation.settings().ledger();
        if (!ledger.enabled()) {
            report.ok("ledger", "database", "off (mailroute.ledger.enabled=false): no message's story is kept");
            return;
        }
        if (ledger.sqlite() && !java.nio.file.Files.exists(ledger.file())) {
            report.ok("ledger", "database", ledger.file() + " does not exist yet; mailroute makes it at its start");
            return;
        }
        try (LedgerDatabase database = new LedgerDatabase(ledger);
             Connection connection = database.connection();
             Statement statement = connection.createStatement()) {
            String where = database.where() + (ledger.username() == null ? "" : " as " + ledger.username());
            long messages = -1;
            try (ResultSet count = statement.executeQuery("SELECT count(*) FROM ledger_message")) {
                messages = count.next() ? count.getLong(1) : -1;
            } catch (java.sql.SQLException e) {
                // no tables yet: a database mailroute has not started on
            }
            report.ok("ledger", "database", where + (messages < 0 ? ": reachable, no ledger tables yet (made at the"
                    + " start)" : ": reachable, " + messages + " messages"));
        } catch (Exception e) {
            report.fail("ledger", "database", "cannot reach the ledger " + UrlCredentials.mask(ledger.jdbcUrl()) + ": "
                                              + LogText.oneLine(UrlCredentials.mask(String.valueOf(e.getMessage())), 300),
                    "check mailroute.ledger.url, mailroute.ledger.username and MAILROUTE_LEDGER_PASSWORD, that"
                    + " PostgreSQL runs and lets this account in (docs/ledger.md); mail flows without the ledger");
        }
    }
}
