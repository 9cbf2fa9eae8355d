package dev.mailroute.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Which messages an operator's filter selects for a queue operation: the ids of the messages that
 * match it and have a recipient in one of the states the operation applies to (a hold looks for
 * queued and deferred ones, a release for held ones). The queue is then asked for exactly those ids.
 * Like every read of the ledger, client values reach the database as parameters only.
 */
public final class LedgerSelection {

    private final LedgerDatabase database;

    public LedgerSelection(LedgerDatabase database) {
        this.database = database;
    }

    /**
     * @param id one message by mailroute's id, or null
     * @param filter the search fields (its {@code state} and {@code apiKey} are not used), or null with an id
     * @param states a recipient of the message is in one of these
     * @param max at most this many ids; one more is read, so that the caller can tell there are more
     */
    public List<String> ids(String id, MessageFilter filter, List<String> states, int max) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT id FROM ledger_message WHERE 1 = 1");
        List<Object> values = new ArrayList<>();
        if (id != null) {
            sql.append(" AND id = ?");
            values.add(id);
        }
        if (filter != null) {
            if (filter.sender() != null) {
                sql.append(" AND lower(sender) = lower(?)");
                values.add(filter.sender());
            }
            if (filter.messageId() != null) {
                String bare = filter.messageId().startsWith("<") && filter.messageId().endsWith(">")
                        ? filter.messageId().substring(1, filter.messageId().length() - 1) : filter.messageId();
                sql.append(" AND message_id IN (?, ?)");
                values.add(bare);
                values.add("<" + bare + ">");
            }
            if (filter.ingress() != null) {
                sql.append(" AND ingress = ?");
                values.add(filter.ingress());
            }
            if (filter.since() != null) {
                sql.append(" AND accepted_at >= ?");
                values.add(filter.since());
            }
            if (filter.until() != null) {
                sql.append(" AND accepted_at < ?");
                values.add(filter.until());
            }
        }
        sql.append(" AND id IN (SELECT mail_id FROM ledger_recipient WHERE state IN (")
                .append(String.join(", ", Collections.nCopies(states.size(), "?"))).append(')');
        values.addAll(states);
        if (filter != null && filter.recipient() != null) {
            sql.append(" AND lower(address) = lower(?)");
            values.add(filter.recipient());
        }
        sql.append(") ORDER BY accepted_at, id LIMIT ?");
        values.add(max + 1);
        database.migrate();
        List<String> ids = new ArrayList<>();
        try (Connection connection = database.connection();
             PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            bind(statement, values);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
        }
        return ids;
    }

    /**
     * The recipients of one message that are in one of these states (for a requeue: the ones that
     * failed, bounced or expired, never one the ledger records as delivered).
     */
    public List<String> recipients(String id, List<String> states) throws SQLException {
        String sql = "SELECT address FROM ledger_recipient WHERE mail_id = ? AND state IN ("
                     + String.join(", ", Collections.nCopies(states.size(), "?")) + ") ORDER BY address";
        List<Object> values = new ArrayList<>();
        values.add(id);
        values.addAll(states);
        database.migrate();
        List<String> addresses = new ArrayList<>();
        try (Connection connection = database.connection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, values);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    addresses.add(rows.getString(1));
                }
            }
        }
        return addresses;
    }

    /** When the oldest message still waiting (a recipient queued, deferred or held) was accepted, or null. */
    public Long oldestWaiting() throws SQLException {
        String sql = "SELECT MIN(accepted_at) FROM ledger_message WHERE id IN (SELECT mail_id FROM ledger_recipient"
                     + " WHERE state IN ('queued', 'deferred', 'held'))";
        database.migrate();
        try (Connection connection = database.connection();
             PreparedStatement statement = connection.prepareStatement(sql);
             ResultSet rows = statement.executeQuery()) {
            if (rows.next()) {
                long oldest = rows.getLong(1);
                return rows.wasNull() ? null : oldest;
            }
            return null;
        }
    }

    private static void bind(PreparedStatement statement, List<Object> values) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            Object value = values.get(i);
            if (value instanceof Long number) {
                statement.setLong(i + 1, number);
            } else if (value instanceof Integer number) {
                statement.setInt(i + 1, number);
            } else {
                statement.setString(i + 1, (String) value);
            }
        }
    }
}
