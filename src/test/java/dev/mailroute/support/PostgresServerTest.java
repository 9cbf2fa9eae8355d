package dev.mailroute.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.Driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The throw-away PostgreSQL server the ledger tests use: password login, pause/resume, clean close. */
class PostgresServerTest {

    private static PostgresServer server;

    @BeforeAll
    static void startServer() {
        long started = System.nanoTime();
        server = PostgresServer.start();
        System.out.println("PostgresServer.start() took "
                           + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void logsInWithThePasswordOnlyAsAnOrdinaryUserOwningTheDatabase() throws SQLException {
        try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
            assertThat(single(statement, "SELECT current_user")).isEqualTo(server.user());
            assertThat(single(statement, "SELECT current_database()")).isEqualTo(server.database());
            assertThat(single(statement, "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user"))
                    .isEqualTo("false");
            assertThat(single(statement, "SHOW listen_addresses")).isEqualTo("127.0.0.1");
            assertThat(single(statement, "SHOW password_encryption")).isEqualTo("scram-sha-256");
        }
        // 28P01: invalid_password — the server checked the password, it did not trust the client
        assertThatThrownBy(() -> java.sql.DriverManager.getConnection(server.jdbcUrl(), server.user(),
                server.password() + "x"))
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
        Properties noPassword = new Properties();
        noPassword.setProperty("user", server.user());
        assertThatThrownBy(() -> new Driver().connect(server.jdbcUrl(), noPassword))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("password");
    }

    @Test
    void committedDataSurvivesAPauseAndConnectionsAreRefusedWhilePaused() throws SQLException {
        try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE kept (id int PRIMARY KEY, note text)");
            statement.execute("INSERT INTO kept VALUES (1, 'before the pause')");
        }
        Connection open = server.connect();
        server.pause();
        try {
            // 08001: the client could not reach the server (connection refused)
            assertThatThrownBy(server::connect)
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"));
            assertThatThrownBy(() -> open.createStatement().execute("SELECT 1")).isInstanceOf(SQLException.class);
        } finally {
            open.close();
            server.resume();
        }
        try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
            assertThat(single(statement, "SELECT note FROM kept WHERE id = 1")).isEqualTo("before the pause");
        }
    }

    @Test
    void closeStopsTheServerDeletesItsFolderAndFreesThePort() throws Exception {
        PostgresServer own = PostgresServer.start();
        Path dir = own.directory();
        int port = own.port();
        assertThat(dir.resolve("data/PG_VERSION")).exists();
        if ("root".equals(System.getProperty("user.name"))) {
            // initdb and postgres refuse root: the server runs as nobody and owns its folder
            assertThat(Files.getOwner(dir.resolve("data")).getName()).isEqualTo("nobody");
        }

        own.close();
        own.close(); // twice is harmless (a test's finally and an @AfterAll)

        assertThat(dir).doesNotExist();
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new AssertionError("port " + port + " is still taken after close(): " + e.getMessage(), e);
        }
    }

    private static String single(Statement statement, String query) throws SQLException {
        try (ResultSet row = statement.executeQuery(query)) {
            assertThat(row.next()).as(query).isTrue();
            return row.getString(1);
        }
    }
}
