package dev.mailroute.ledger;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An operator's hold, release and delete in the ledger (SQLite, the real schema), against attempts
 * whose reports arrive late: an operation wins over the queued or deferred of the attempt it
 * followed, the next attempt wins over the operation, and a delivered recipient is never held.
 */
class LedgerOperationTest {

    private static final String ID = "0b6a3c1e-2f4d-4c8a-9e1b-5d7f3a2c4e6b";
    private static final List<String> WAITING = List.of("queued", "deferred");

    @TempDir
    Path data;

    private LedgerDatabase database;

    /** The ledger's settings the test writes with: SQLite in a temporary folder. */
    LedgerSettings settings(Path folder) {
        return new LedgerSettings(true, null, folder.resolve("ledger.db"), null, null, true, 86_400_000L, 10_000);
    }

    @BeforeEach
    void open() throws Exception {
        database = new LedgerDatabase(settings(data));
        database.migrate();
        // a PostgreSQL database outlives one test: each begins with empty tables
        try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
            for (String table : List.of("ledger_attempt", "ledger_recipient", "ledger_message")) {
                statement.executeUpdate("DELETE FROM " + table);
            }
        }
        write(new LedgerEvent.Accepted(ID, "<" + ID + "@example.com>", "http", "test", null, "a@example.com", 10, 1,
                "s", List.of("x@example.com", "y@example.com"), null));
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void aHoldWinsOverALateDeferralOfTheSameAttemptAndTheNextAttemptWinsOverTheHold() throws Exception {
        write(attempt(1, "deferred"));
        write(new LedgerEvent.Operated(List.of(ID), WAITING, "held", "held by ops", 10));
        write(attempt(1, "deferred")); // the same attempt's report again (a redelivery), after the hold
        assertThat(state("x@example.com")).isEqualTo("held");
        assertThat(replyText("x@example.com")).isEqualTo("held by ops");

        write(new LedgerEvent.Operated(List.of(ID), List.of("held"), "queued", "released by ops", 20));
        assertThat(state("x@example.com")).isEqualTo("queued");
        write(attempt(2, "delivered"));
        assertThat(state("x@example.com")).isEqualTo("delivered");
    }

    @Test
    void aDeliveredRecipientIsNeverHeldNorDeletedAndADeliveryDuringAHoldEndsDelivered() throws Exception {
        write(attempt(1, "delivered"));
        write(new LedgerEvent.Operated(List.of(ID), WAITING, "held", "held by ops", 10));
        write(new LedgerEvent.Operated(null, List.of("queued", "deferred", "held"), "deleted", "deleted by ops", 11));
        assertThat(state("x@example.com")).isEqualTo("delivered");

        // y: held while its first attempt was in flight; that attempt's report comes after the hold
        write(new LedgerEvent.Attempt(ID, 1, 5, "smtp", "relay:25", 1,
                List.of(new LedgerEvent.Outcome("y@example.com", "deferred", 451, null, "later"))));
        assertThat(state("y@example.com")).isEqualTo("deferred");
        write(new LedgerEvent.Operated(List.of(ID), WAITING, "held", "held by ops", 12));
        write(new LedgerEvent.Attempt(ID, 2, 13, "smtp", "relay:25", 1,
                List.of(new LedgerEvent.Outcome("y@example.com", "delivered", 250, null, "ok"))));
        assertThat(state("y@example.com")).isEqualTo("delivered");
    }

    @Test
    void aDeleteWinsOverALateDeferralOfTheSameAttempt() throws Exception {
        write(attempt(1, "deferred"));
        write(new LedgerEvent.Operated(List.of(ID), List.of("queued", "deferred", "held"), "deleted", "deleted by ops",
                10));
        write(attempt(1, "deferred"));
        assertThat(state("x@example.com")).isEqualTo("deleted");
    }

    @Test
    void aRequeueWinsOverTheEndItFollowsEvenReportedAgainAndTheNextAttemptWinsOverTheRequeue() throws Exception {
        write(attempt(1, "bounced"));
        write(new LedgerEvent.Operated(List.of(ID), List.of("failed", "bounced", "expired"), "queued",
                "requeued by ops", 10));
        assertThat(state("x@example.com")).isEqualTo("queued");
        assertThat(replyText("x@example.com")).isEqualTo("requeued by ops");
        write(attempt(1, "bounced")); // the attempt that parked it, reported again after the requeue
        assertThat(state("x@example.com")).isEqualTo("queued");
        // the requeued message's next attempt is numbered after the one that parked it
        write(attempt(2, "delivered"));
        assertThat(state("x@example.com")).isEqualTo("delivered");
        assertThat(column("x@example.com", "attempts")).isEqualTo("2");
    }

    @Test
    void recipientsAreIndexedByState() throws Exception {
        // V2: the listing by state and the operations' filters look recipients up by state
        List<String> columns = new java.util.ArrayList<>();
        try (Connection connection = database.connection();
             java.sql.ResultSet index = connection.getMetaData().getIndexInfo(null, null, "ledger_recipient", false,
                     false)) {
            while (index.next()) {
                if ("ledger_recipient_state".equalsIgnoreCase(index.getString("INDEX_NAME"))) {
                    columns.add(index.getString("COLUMN_NAME"));
                }
            }
        }
        assertThat(columns).containsExactly("state", "mail_id");
    }

    @Test
    void aSearchByStatePagesNewestFirstWhetherTheStateIsCommonOrRare() throws Exception {
        // 12,000 messages, every other one delivered: 6,000 queued (more than the search walks for,
        // LedgerQueries.DENSE_STATE) and one held, the oldest
        List<LedgerEvent> events = new java.util.ArrayList<>();
        for (int i = 0; i < 12_000; i++) {
            String id = String.format("m-%05d", i);
            events.add(new LedgerEvent.Accepted(id, null, "http", "test", null, "a@example.com", 10, 1_000 + i, "s",
                    List.of("z@example.com"), null));
            if (i % 2 == 1) {
                events.add(new LedgerEvent.Attempt(id, 1, 100_000 + i, "smtp", "relay:25", 1,
                        List.of(new LedgerEvent.Outcome("z@example.com", "delivered", 250, null, "ok"))));
            }
        }
        events.add(new LedgerEvent.Operated(List.of(ID), WAITING, "held", "held by ops", 10));
        try (Connection connection = database.connection()) {
            LedgerStore.write(connection, events);
        }
        LedgerQueries queries = new LedgerQueries(database);
        MessageFilter queued = new MessageFilter(null, null, null, null, "queued", null, null, null);
        LedgerQueries.Page first = queries.search(queued, 50, null);
        LedgerQueries.Page second = queries.search(queued, 50, first.next());
        List<String> expected = new java.util.ArrayList<>();
        for (int i = 11_998; expected.size() < 100; i -= 2) {
            expected.add(String.format("m-%05d", i));
        }
        List<String> found = new java.util.ArrayList<>(first.messages().stream().map(MessageStory::id).toList());
        found.addAll(second.messages().stream().map(MessageStory::id).toList());
        assertThat(found).isEqualTo(expected);
        // the other fields narrow the walk as they narrow any search
        assertThat(queries.search(new MessageFilter(null, null, "A@example.com", null, "queued", null, 11_990L, 12_000L),
                50, null).messages()).extracting(MessageStory::id).containsExactly("m-10998", "m-10996", "m-10994",
                        "m-10992", "m-10990");

        LedgerQueries.Page held = queries.search(new MessageFilter(null, null, null, null, "held", null, null, null),
                50, null);
        assertThat(held.messages()).extracting(MessageStory::id).containsExactly(ID);
        assertThat(held.next()).isNull();
    }

    private static LedgerEvent.Attempt attempt(int number, String outcome) {
        return new LedgerEvent.Attempt(ID, number, number, "smtp", "relay:25", 1,
                List.of(new LedgerEvent.Outcome("x@example.com", outcome, outcome.equals("delivered") ? 250 : 451, null,
                        outcome)));
    }

    private void write(LedgerEvent event) throws Exception {
        try (Connection connection = database.connection()) {
            LedgerStore.write(connection, List.of(event));
        }
    }

    private String state(String address) throws Exception {
        return column(address, "state");
    }

    private String replyText(String address) throws Exception {
        return column(address, "reply_text");
    }

    private String column(String address, String column) throws Exception {
        try (Connection connection = database.connection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT " + column + " FROM ledger_recipient WHERE mail_id = ? AND address = ?")) {
            statement.setString(1, ID);
            statement.setString(2, address);
            try (ResultSet rows = statement.executeQuery()) {
                assertThat(rows.next()).isTrue();
                return rows.getString(1);
            }
        }
    }
}
