package dev.mailroute.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ledger's reads, for the status API: one message with its recipients (and, when asked, every
 * attempt), or a page of messages matching a {@link MessageFilter}, newest first.
 *
 * <p>Every value a client gave reaches the database as a statement parameter, never as SQL text;
 * the SQL is assembled from fixed fragments only. Every answer is bounded: a page has at most
 * {@link #MAX_PAGE} messages, a message shows at most {@link #RECIPIENTS_SHOWN} recipients (a page
 * {@link #RECIPIENTS_SHOWN_IN_PAGE} per message), a recipient its {@link #DEFERRALS_SHOWN} most
 * frequent deferral replies. Each question is read in one transaction: one consistent moment of a
 * ledger the writer keeps writing.
 *
 * <p>Paging is by position (keyset): a page ends at the (accepted at, id) of its last message, and
 * the next page starts below it, so a message accepted meanwhile neither shifts a page nor repeats
 * one.
 */
public final class LedgerQueries {

    public static final int MAX_PAGE = 500;
    static final int RECIPIENTS_SHOWN = 1000;
    static final int RECIPIENTS_SHOWN_IN_PAGE = 100;
    static final int DEFERRALS_SHOWN = 10;
    /** Attempts of one message shown at most (a message is retried for mailroute.retry.maxAge, not for ever). */
    static final int ATTEMPTS_SHOWN = 20_000;
    /** Distinct (recipient, deferral reply) rows read for one answer at most. */
    private static final int DEFERRAL_ROWS = 20_000;
    /**
     * Recipients in a state above which a search by that state walks the messages newest first
     * instead of collecting every id in the state and sorting them: 100,000 queued messages took
     * 139 ms the second way and 9 ms the first (SQLite). The walk stops at the page's end when the
     * state is common among the newest messages (queued, deferred, held are); below this count the
     * ids are few and the sort cheap whatever their age.
     */
    private static final long DENSE_STATE = 5_000;

    private static final String MESSAGE_COLUMNS =
            "id, message_id, ingress, submitter, sender, size_bytes, accepted_at, subject, report_of";

    private final LedgerDatabase database;

    public LedgerQueries(LedgerDatabase database) {
        this.database = database;
    }

    /** Where a page ended: the next page begins below it. */
    public record Position(long acceptedAt, String id) {
    }

    /** @param next where the next page begins, or null when this was the last */
    public record Page(List<MessageStory> messages, Position next) {
    }

    /**
     * One message, if it is there and the reader may see it.
     *
     * @param apiKey the name of the submit key that asks (it sees only what it sent), or null for an admin
     * @param withAttempts each recipient's attempts too
     */
    public Optional<MessageStory> message(String id, String apiKey, boolean withAttempts) throws SQLException {
        database.migrate();
        try (Connection connection = database.connection()) {
            return inOneRead(connection, () -> {
                String sql = "SELECT " + MESSAGE_COLUMNS + " FROM ledger_message WHERE id = ?"
                             + (apiKey == null ? "" : " AND api_key = ?");
                List<MessageStory> found;
                try (PreparedStatement statement = connection.prepareStatement(sql)) {
                    statement.setString(1, id);
                    if (apiKey != null) {
                        statement.setString(2, apiKey);
                    }
                    found = messages(statement);
                }
                if (found.isEmpty()) {
                    return Optional.empty();
                }
                return Optional.of(complete(connection, found, RECIPIENTS_SHOWN, withAttempts).get(0));
            });
        }
    }

    /**
     * The messages the filter matches, newest first.
     *
     * @param limit at most this many, 1 to {@link #MAX_PAGE}
     * @param after where the previous page ended, or null for the first page
     */
    public Page search(MessageFilter filter, int limit, Position after) throws SQLException {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_PAGE + ", not " + limit);
        }
        database.migrate();
        try (Connection connection = database.connection()) {
            return inOneRead(connection, () -> {
                List<Object> values = new ArrayList<>();
                boolean dense = filter.recipient() == null && filter.state() != null
                                && inState(connection, filter.state()) > DENSE_STATE;
                List<MessageStory> found;
                try (PreparedStatement statement = connection.prepareStatement(
                        searchSql(filter, limit, after, dense, values))) {
                    bind(statement, values);
                    found = messages(statement);
                }
                Position next = null;
                if (found.size() > limit) {
                    found = found.subList(0, limit);
                    MessageStory last = found.get(limit - 1);
                    next = new Position(last.acceptedAt(), last.id());
                }
                return new Page(complete(connection, found, RECIPIENTS_SHOWN_IN_PAGE, false), next);
            });
        }
    }

    /** Recipients in this state, counted in the state index alone. */
    private static long inState(Connection connection, String state) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                // counted only as far as the threshold: with 100,000 delivered recipients a full
                // COUNT reads the whole index range on every search by that state
                "SELECT COUNT(*) FROM (SELECT 1 FROM ledger_recipient WHERE state = ? LIMIT ?) AS within")) {
            statement.setString(1, state);
            statement.setLong(2, DENSE_STATE + 1);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /**
     * The search's statement, its values added to {@code values} in order.
     *
     * @param dense many recipients are in the filter's state: the messages are walked newest first
     *        and each is looked up in the state index, stopping at the page's end; otherwise the few
     *        ids the state index holds are taken first and sorted
     */
    private static String searchSql(MessageFilter filter, int limit, Position after, boolean dense,
                                    List<Object> values) {
        StringBuilder sql = new StringBuilder("SELECT " + MESSAGE_COLUMNS + " FROM ledger_message WHERE 1 = 1");
        if (filter.apiKey() != null) {
            sql.append(" AND api_key = ?");
            values.add(filter.apiKey());
        }
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
        if (filter.recipient() != null) {
            sql.append(" AND id IN (SELECT mail_id FROM ledger_recipient WHERE lower(address) = lower(?)");
            values.add(filter.recipient());
            if (filter.state() != null) {
                sql.append(" AND state = ?");
                values.add(filter.state());
            }
            sql.append(')');
        } else if (filter.state() != null && dense) {
            sql.append(" AND EXISTS (SELECT 1 FROM ledger_recipient r WHERE r.mail_id = ledger_message.id"
                       + " AND r.state = ?)");
            values.add(filter.state());
        } else if (filter.state() != null) {
            sql.append(" AND id IN (SELECT mail_id FROM ledger_recipient WHERE state = ?)");
            values.add(filter.state());
        }
        if (after != null) {
            sql.append(" AND (accepted_at < ? OR (accepted_at = ? AND id < ?))");
            values.add(after.acceptedAt());
            values.add(after.acceptedAt());
            values.add(after.id());
        }
        sql.append(" ORDER BY accepted_at DESC, id DESC LIMIT ?");
        values.add(limit + 1); // one more than asked: is there a next page?
        return sql.toString();
    }

    private interface Read<T> {
        T run() throws SQLException;
    }

    /** The reads of one answer in one transaction, which writes nothing. */
    private static <T> T inOneRead(Connection connection, Read<T> read) throws SQLException {
        connection.setAutoCommit(false);
        try {
            return read.run();
        } finally {
            connection.rollback();
            connection.setAutoCommit(true);
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

    private static List<MessageStory> messages(PreparedStatement statement) throws SQLException {
        List<MessageStory> messages = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                messages.add(new MessageStory(rows.getString("id"), rows.getString("message_id"),
                        rows.getString("ingress"), rows.getString("submitter"), rows.getString("sender"),
                        rows.getLong("size_bytes"), rows.getLong("accepted_at"), rows.getString("subject"),
                        rows.getString("report_of"), 0, List.of()));
            }
        }
        return messages;
    }

    /** The messages with their recipients (at most {@code shown} each), deferrals, and attempts if asked. */
    private static List<MessageStory> complete(Connection connection, List<MessageStory> messages, int shown,
                                               boolean withAttempts) throws SQLException {
        if (messages.isEmpty()) {
            return messages;
        }
        List<String> ids = messages.stream().map(MessageStory::id).toList();
        String in = String.join(", ", Collections.nCopies(ids.size(), "?"));
        Map<String, Map<String, List<MessageStory.Deferral>>> deferrals = deferrals(connection, ids, in);
        Map<String, Map<String, List<MessageStory.Attempt>>> attempts = withAttempts ? attempts(connection, ids, in)
                : Map.of();

        Map<String, List<MessageStory.Recipient>> recipients = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        String sql = "SELECT mail_id, address, state, attempts, reply_code, reply_status, reply_text, changed_at, total"
                     + " FROM (SELECT r.*, ROW_NUMBER() OVER (PARTITION BY mail_id ORDER BY address) AS n,"
                     + " COUNT(*) OVER (PARTITION BY mail_id) AS total FROM ledger_recipient r"
                     + " WHERE mail_id IN (" + in + ")) shown WHERE n <= ? ORDER BY mail_id, n";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < ids.size(); i++) {
                statement.setString(i + 1, ids.get(i));
            }
            statement.setInt(ids.size() + 1, shown);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String id = rows.getString("mail_id");
                    String address = rows.getString("address");
                    counts.put(id, rows.getInt("total"));
                    recipients.computeIfAbsent(id, k -> new ArrayList<>()).add(new MessageStory.Recipient(address,
                            rows.getString("state"), rows.getInt("attempts"), integer(rows, "reply_code"),
                            rows.getString("reply_status"), rows.getString("reply_text"), rows.getLong("changed_at"),
                            deferrals.getOrDefault(id, Map.of()).getOrDefault(address, List.of()),
                            attempts.getOrDefault(id, Map.of()).getOrDefault(address, List.of())));
                }
            }
        }
        return messages.stream().map(m -> new MessageStory(m.id(), m.messageId(), m.ingress(), m.submitter(),
                m.sender(), m.sizeBytes(), m.acceptedAt(), m.subject(), m.reportOf(), counts.getOrDefault(m.id(), 0),
                recipients.getOrDefault(m.id(), List.of()))).toList();
    }

    /** Per message and recipient: the replies of the attempts that deferred it, most frequent first. */
    private static Map<String, Map<String, List<MessageStory.Deferral>>> deferrals(Connection connection,
                                                                                   List<String> ids, String in)
            throws SQLException {
        String sql = "SELECT mail_id, address, reply_code, reply_status, reply_text, COUNT(*) AS times"
                     + " FROM ledger_attempt WHERE mail_id IN (" + in + ") AND outcome = 'deferred'"
                     + " GROUP BY mail_id, address, reply_code, reply_status, reply_text"
                     + " ORDER BY times DESC, mail_id, address LIMIT " + DEFERRAL_ROWS;
        Map<String, Map<String, List<MessageStory.Deferral>>> deferrals = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < ids.size(); i++) {
                statement.setString(i + 1, ids.get(i));
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    List<MessageStory.Deferral> reasons = deferrals
                            .computeIfAbsent(rows.getString("mail_id"), k -> new LinkedHashMap<>())
                            .computeIfAbsent(rows.getString("address"), k -> new ArrayList<>());
                    if (reasons.size() < DEFERRALS_SHOWN) {
                        reasons.add(new MessageStory.Deferral(reply(integer(rows, "reply_code"),
                                rows.getString("reply_status"), rows.getString("reply_text")), rows.getInt("times")));
                    }
                }
            }
        }
        return deferrals;
    }

    private static Map<String, Map<String, List<MessageStory.Attempt>>> attempts(Connection connection,
                                                                                 List<String> ids, String in)
            throws SQLException {
        String sql = "SELECT mail_id, address, attempt, at, transport, relay, outcome, reply_code, reply_status,"
                     + " reply_text, duration_ms FROM ledger_attempt WHERE mail_id IN (" + in + ")"
                     + " ORDER BY mail_id, address, attempt LIMIT " + ATTEMPTS_SHOWN;
        Map<String, Map<String, List<MessageStory.Attempt>>> attempts = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < ids.size(); i++) {
                statement.setString(i + 1, ids.get(i));
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    long duration = rows.getLong("duration_ms");
                    Long durationMillis = rows.wasNull() ? null : duration;
                    attempts.computeIfAbsent(rows.getString("mail_id"), k -> new LinkedHashMap<>())
                            .computeIfAbsent(rows.getString("address"), k -> new ArrayList<>())
                            .add(new MessageStory.Attempt(rows.getInt("attempt"), rows.getLong("at"),
                                    rows.getString("transport"), rows.getString("relay"), rows.getString("outcome"),
                                    integer(rows, "reply_code"), rows.getString("reply_status"),
                                    rows.getString("reply_text"), durationMillis));
                }
            }
        }
        return attempts;
    }

    /**
     * A reply as one line: {@code 451 4.3.0 text}, whichever parts there are. A text stored whole,
     * code first (a deferral's server text is), is shown as it is.
     */
    public static String reply(Integer code, String status, String text) {
        if (text != null && code != null && text.startsWith(code + " ")) {
            return text;
        }
        StringBuilder reply = new StringBuilder();
        for (Object part : new Object[]{code, status, text}) {
            if (part != null && !part.toString().isBlank()) {
                reply.append(reply.isEmpty() ? "" : " ").append(part);
            }
        }
        return reply.toString();
    }

    private static Integer integer(ResultSet rows, String column) throws SQLException {
        int value = rows.getInt(column);
        return rows.wasNull() ? null : value;
    }
}
