package dev.mailroute.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Collections;
import java.util.List;

/**
 * The ledger's writes: a batch of events in one transaction. Every statement is an upsert keyed by
 * the message id (and recipient, and attempt number), so writing an event twice — a broker
 * redelivery after a crash, a batch retried after a lost commit — leaves the same rows; and a
 * recipient's state is only ever replaced by a later one, so two instances that write the same
 * message in any order agree on where it stands. "Later" is decided by the attempt number and then
 * by how final a state is, never by a clock: the instance that accepted and the one that delivered
 * may not agree on the time.
 */
final class LedgerStore {

    private static final String MESSAGE = """
            INSERT INTO ledger_message (id, message_id, ingress, submitter, api_key, sender, size_bytes, accepted_at, subject, report_of)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING""";
    /** A recipient as queued; a row an attempt wrote first (another instance delivered already) is kept. */
    private static final String QUEUED = """
            INSERT INTO ledger_recipient (mail_id, address, state, changed_at, attempts)
            VALUES (?, ?, 'queued', ?, 0) ON CONFLICT (mail_id, address) DO NOTHING""";
    private static final String ATTEMPT = """
            INSERT INTO ledger_attempt (mail_id, address, attempt, at, transport, relay, outcome, reply_code, reply_status, reply_text, duration_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (mail_id, address, attempt) DO UPDATE SET at = excluded.at, transport = excluded.transport,
              relay = excluded.relay, outcome = excluded.outcome, reply_code = excluded.reply_code,
              reply_status = excluded.reply_status, reply_text = excluded.reply_text, duration_ms = excluded.duration_ms""";
    private static final String STATE = """
            INSERT INTO ledger_recipient (mail_id, address, state, changed_at, attempts, reply_code, reply_status, reply_text)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (mail_id, address) DO UPDATE SET state = excluded.state, changed_at = excluded.changed_at,
              attempts = excluded.attempts, reply_code = excluded.reply_code, reply_status = excluded.reply_status,
              reply_text = excluded.reply_text
            WHERE excluded.attempts > ledger_recipient.attempts
               OR (excluded.attempts = ledger_recipient.attempts AND %s >= %s)""".formatted(
            rank("excluded.state"), rank("ledger_recipient.state"));

    /** The states a delivery ends in, which only a requeue takes back. */
    private static final java.util.Set<String> END_STATES = java.util.Set.of("delivered", "bounced", "failed",
            "expired");

    private LedgerStore() {
    }

    /**
     * How final a state is, in SQL: within one attempt, an end (delivered, bounced, ...) wins over
     * deferred. An operator's held and deleted win over the queued or deferred of the attempt they
     * followed (an attempt's report may reach the ledger after the operation), but not over an end:
     * a message delivered while it was put on hold was delivered.
     */
    private static String rank(String column) {
        return "(CASE " + column + " WHEN 'queued' THEN 0 WHEN 'deferred' THEN 1 WHEN 'held' THEN 2"
               + " WHEN 'deleted' THEN 3 ELSE 4 END)";
    }

    /**
     * An operator's operation on the recipients of some messages (or all) in some states. The
     * attempt count stays: the next attempt's report, numbered higher, replaces it. A requeue
     * (an end state back to queued) is the one exception: an end outranks queued within one
     * attempt, so the requeue counts as the start of the next attempt — the parking attempt's
     * report, written again late, no longer replaces it, and the requeued message's next attempt
     * (numbered after the parking one, see QueueOperations.requeue) does.
     */
    private static void operate(Connection connection, LedgerEvent.Operated operated) throws SQLException {
        boolean requeue = "queued".equals(operated.to()) && operated.from().stream().anyMatch(END_STATES::contains);
        StringBuilder sql = new StringBuilder("UPDATE ledger_recipient SET state = ?, changed_at = ?,"
                + (requeue ? " attempts = attempts + 1," : "")
                + " reply_code = NULL, reply_status = NULL, reply_text = ? WHERE state IN ("
                + String.join(", ", Collections.nCopies(operated.from().size(), "?")) + ")");
        if (operated.ids() != null) {
            sql.append(" AND mail_id IN (").append(String.join(", ", Collections.nCopies(operated.ids().size(), "?")))
                    .append(')');
        }
        try (PreparedStatement update = connection.prepareStatement(sql.toString())) {
            int i = 1;
            update.setString(i++, operated.to());
            update.setLong(i++, operated.at());
            setText(update, i++, operated.note());
            for (String state : operated.from()) {
                update.setString(i++, state);
            }
            if (operated.ids() != null) {
                for (String id : operated.ids()) {
                    update.setString(i++, id);
                }
            }
            update.executeUpdate();
        }
    }

    /** Writes the events and commits; on an error nothing of the batch is kept and the error is thrown. */
    static void write(Connection connection, List<LedgerEvent> events) throws SQLException {
        connection.setAutoCommit(false);
        try (PreparedStatement message = connection.prepareStatement(MESSAGE);
             PreparedStatement queued = connection.prepareStatement(QUEUED);
             PreparedStatement attempt = connection.prepareStatement(ATTEMPT);
             PreparedStatement state = connection.prepareStatement(STATE)) {
            boolean anyAttempt = false;
            for (LedgerEvent event : events) {
                if (event instanceof LedgerEvent.Accepted accepted) {
                    addMessage(message, accepted);
                    for (String recipient : accepted.recipients()) {
                        queued.setString(1, accepted.id());
                        queued.setString(2, recipient);
                        queued.setLong(3, accepted.acceptedAt());
                        queued.addBatch();
                    }
                }
            }
            message.executeBatch();
            queued.executeBatch();
            // attempts and operations after every accepted row of the batch, in the order they happened
            for (LedgerEvent event : events) {
                if (event instanceof LedgerEvent.Attempt tried) {
                    for (LedgerEvent.Outcome outcome : tried.outcomes()) {
                        addAttempt(attempt, tried, outcome);
                        addState(state, tried, outcome);
                        anyAttempt = true;
                    }
                } else if (event instanceof LedgerEvent.Operated operated) {
                    if (anyAttempt) {
                        attempt.executeBatch();
                        state.executeBatch();
                        anyAttempt = false;
                    }
                    operate(connection, operated);
                }
            }
            if (anyAttempt) {
                attempt.executeBatch();
                state.executeBatch();
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            rollback(connection, e);
            throw e;
        }
    }

    private static void addMessage(PreparedStatement s, LedgerEvent.Accepted a) throws SQLException {
        s.setString(1, a.id());
        setText(s, 2, a.messageId());
        s.setString(3, a.ingress());
        setText(s, 4, a.submitter());
        setText(s, 5, a.apiKey());
        setText(s, 6, a.sender());
        s.setLong(7, a.sizeBytes());
        s.setLong(8, a.acceptedAt());
        setText(s, 9, a.subject());
        setText(s, 10, a.reportOf());
        s.addBatch();
    }

    private static void addAttempt(PreparedStatement s, LedgerEvent.Attempt a, LedgerEvent.Outcome o)
            throws SQLException {
        s.setString(1, a.id());
        s.setString(2, o.address());
        s.setInt(3, a.attempt());
        s.setLong(4, a.at());
        s.setString(5, a.transport());
        setText(s, 6, a.relay());
        s.setString(7, o.state());
        setCode(s, 8, o.replyCode());
        setText(s, 9, o.enhancedStatus());
        setText(s, 10, o.text());
        s.setLong(11, a.durationMillis());
        s.addBatch();
    }

    private static void addState(PreparedStatement s, LedgerEvent.Attempt a, LedgerEvent.Outcome o)
            throws SQLException {
        s.setString(1, a.id());
        s.setString(2, o.address());
        s.setString(3, o.state());
        s.setLong(4, a.at());
        s.setInt(5, a.attempt());
        setCode(s, 6, o.replyCode());
        setText(s, 7, o.enhancedStatus());
        setText(s, 8, o.text());
        s.addBatch();
    }

    private static void setText(PreparedStatement s, int index, String value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.VARCHAR);
        } else {
            s.setString(index, value);
        }
    }

    private static void setCode(PreparedStatement s, int index, int code) throws SQLException {
        if (code < 0) {
            s.setNull(index, Types.INTEGER);
        } else {
            s.setInt(index, code);
        }
    }

    private static void rollback(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
