package dev.mailroute.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.awaitility.Awaitility;

/**
 * The ledger's tables as the tests read them: straight from the database mailroute writes (the
 * SQLite file, or a PostgreSQL database), with plain JDBC. Rows are maps of lower-case column
 * names.
 */
public final class LedgerRows {

    private final String url;
    private final String user;
    private final String password;

    private LedgerRows(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** The SQLite ledger of a gateway on {@code config}'s data folder. */
    public static LedgerRows of(GatewayConfig config) {
        return new LedgerRows("jdbc:sqlite:" + config.dataDir().resolve("ledger.db"), null, null);
    }

    public static LedgerRows of(String url, String user, String password) {
        return new LedgerRows(url, user, password);
    }

    public List<Map<String, Object>> query(String sql, Object... parameters) {
        try (Connection connection = user == null ? DriverManager.getConnection(url)
                : DriverManager.getConnection(url, user, password);
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet result = statement.executeQuery()) {
                ResultSetMetaData meta = result.getMetaData();
                while (result.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int c = 1; c <= meta.getColumnCount(); c++) {
                        row.put(meta.getColumnLabel(c).toLowerCase(java.util.Locale.ROOT), result.getObject(c));
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            // the table may not exist yet: the schema is made before the first write
            if (String.valueOf(e.getMessage()).contains("no such table") || "42P01".equals(e.getSQLState())) {
                return List.of();
            }
            throw new IllegalStateException(e);
        }
    }

    /** A change made behind the gateway's back, for a state it cannot easily be brought to: rows changed. */
    public int update(String sql, Object... parameters) {
        try (Connection connection = user == null ? DriverManager.getConnection(url)
                : DriverManager.getConnection(url, user, password);
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public Map<String, Object> message(String id) {
        List<Map<String, Object>> rows = query("SELECT * FROM ledger_message WHERE id = ?", id);
        return rows.isEmpty() ? null : rows.get(0);
    }

    public List<Map<String, Object>> recipients(String id) {
        return query("SELECT * FROM ledger_recipient WHERE mail_id = ? ORDER BY address", id);
    }

    public List<Map<String, Object>> attempts(String id) {
        return query("SELECT * FROM ledger_attempt WHERE mail_id = ? ORDER BY address, attempt", id);
    }

    /** Waits until the query's rows satisfy {@code until} (the ledger is written in the background). */
    public List<Map<String, Object>> await(Predicate<List<Map<String, Object>>> until, String sql, Object... parameters) {
        List<List<Map<String, Object>>> last = new ArrayList<>(List.of(List.of()));
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    last.set(0, query(sql, parameters));
                    return until.test(last.get(0));
                });
        return last.get(0);
    }

    /** Waits until the recipient has the state, and answers its row. */
    public Map<String, Object> awaitState(String id, String address, String state) {
        return await(rows -> rows.size() == 1 && state.equals(rows.get(0).get("state")),
                "SELECT * FROM ledger_recipient WHERE mail_id = ? AND address = ?", id, address).get(0);
    }
}
