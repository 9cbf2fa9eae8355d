package dev.mailroute.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.condition.OS;

/**
 * A throw-away PostgreSQL server from Debian's own programs (the newest
 * {@code /usr/lib/postgresql/<major>/bin}, installed by {@code test-tools/install.sh}): a fresh
 * cluster in a temporary folder, listening on a free port of 127.0.0.1 only, its unix socket inside
 * that folder. Logging in takes a password (SCRAM-SHA-256, never trust), so a client's credential
 * handling is exercised: {@link #user()} owns the database {@link #database()} and is not a
 * superuser. The password mixes in characters a URL must escape, so a client that pastes it into a
 * URL fails.
 *
 * <p>initdb and postgres refuse to run as root; as root (CI, containers) the server runs as the
 * unprivileged user {@code nobody} through setpriv, and owns its folder.
 *
 * <p>{@link #pause()} stops the server the way a crash does and {@link #resume()} starts it again
 * on the same data and port, for "database gone, then back" tests. {@link #close()} stops it and
 * deletes its folder. A test class may share one server ({@code @BeforeAll}/{@code @AfterAll}).
 */
public final class PostgresServer implements AutoCloseable {

    private static final Path DEBIAN_PROGRAMS = Path.of("/usr/lib/postgresql");
    private static final String SUPERUSER = "postgres";
    private static final String USER = "mailroute";
    private static final String DATABASE = "mailroute";
    private static final boolean ROOT = !OS.WINDOWS.isCurrentOs()
                                        && new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    private static final List<String> AS_NOBODY = List.of("--reuid=nobody", "--regid=nogroup", "--clear-groups");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int START_ATTEMPTS = 3;
    private static final long TIMEOUT_SECONDS = 60;

    private final Path bin;
    private final Path dir;
    private final Path data;
    private final Path log;
    private final String password = newPassword();
    private final String superuserPassword = newPassword();
    private final Thread stopAtExit = new Thread(this::stopQuietly, "postgres-stop-at-exit");
    private int port;
    private boolean running;
    private boolean closed;

    private PostgresServer(Path bin, Path dir) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.log = dir.resolve("server.log");
    }

    /** A new server, running, with its user and database created. Skipped on Windows. */
    public static PostgresServer start() {
        Assumptions.assumeFalse(OS.WINDOWS.isCurrentOs(),
                "PostgreSQL is started from Debian's programs (/usr/lib/postgresql): not available on Windows, skipped there");
        Path bin = newestBin();
        PostgresServer server;
        try {
            server = new PostgresServer(bin, Files.createTempDirectory("mailroute-postgres"));
        } catch (IOException e) {
            throw new IllegalStateException("no temporary folder for PostgreSQL: " + e.getMessage(), e);
        }
        try {
            server.initialise();
            server.startOnAFreePort();
            server.createUserAndDatabase();
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public String user() {
        return USER;
    }

    public String password() {
        return password;
    }

    public String database() {
        return DATABASE;
    }

    public int port() {
        return port;
    }

    /** The server's folder (data, socket, log); gone after {@link #close()}. */
    public Path directory() {
        return dir;
    }

    /** A connection as {@link #user()}. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), USER, password);
    }

    /** A connection to the database as the superuser, for what a test must do behind a client's back (end its sessions). */
    public Connection connectAsSuperuser() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), SUPERUSER, superuserPassword);
    }

    /**
     * Stops the server at once, as a crash does: open connections break, new ones are refused.
     * Committed data survives ({@link #resume()} recovers it from the WAL).
     */
    public synchronized void pause() {
        if (!running) {
            throw new IllegalStateException("PostgreSQL on port " + port + " is not running");
        }
        stopNow();
    }

    /** Starts the paused server again on the same data and port; returns once it accepts connections. */
    public synchronized void resume() {
        if (closed) {
            throw new IllegalStateException("PostgreSQL on port " + port + " was closed");
        }
        if (!running) {
            pgCtlStart();
        }
    }

    /** Same as {@link #close()}. */
    public void stop() {
        close();
    }

    /** Stops the server (immediate shutdown: nothing in it is worth keeping) and deletes its folder. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (running) {
                stopNow();
            }
        } finally {
            deleteFolder();
            try {
                Runtime.getRuntime().removeShutdownHook(stopAtExit);
            } catch (IllegalStateException | IllegalArgumentException exiting) {
                // the JVM is already exiting, or the hook was never added
            }
        }
    }

    private void initialise() {
        try {
            Files.createDirectories(dir.resolve("socket"));
            Path passwordFile = Files.writeString(dir.resolve("superuser-password"), superuserPassword);
            Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
            if (ROOT) {
                giveToNobody(dir);
                giveToNobody(dir.resolve("socket"));
                giveToNobody(passwordFile);
            }
            // --no-sync: a server that lives for one test run never needs its files on disk
            run("initdb", "initdb", "-D", data.toString(), "-U", SUPERUSER, "--pwfile=" + passwordFile,
                    "--auth=scram-sha-256", "--no-locale", "--encoding=UTF8", "--no-sync");
            Files.delete(passwordFile);
            // fsync and full-page writes protect data against an OS crash or a power loss; this data
            // is thrown away after the run, and without them a commit does not wait for the disk —
            // which is most of the time a test spends in the database. A pause() (immediate stop) is
            // not such a crash: a commit's WAL is already in the OS's cache, and resume() recovers it.
            // synchronous_commit stays on: off, a commit is acknowledged before its WAL is written at
            // all, and a pause() would lose it (PostgresServerTest showed it).
            Files.writeString(data.resolve("postgresql.conf"), String.join("\n",
                    "",
                    "# mailroute tests (PostgresServer)",
                    "listen_addresses = '127.0.0.1'",
                    "unix_socket_directories = '" + dir.resolve("socket") + "'",
                    "fsync = off",
                    "full_page_writes = off",
                    ""), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException("preparing PostgreSQL in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** A free port may be taken by someone else before the server binds it: then another is tried. */
    private void startOnAFreePort() {
        for (int attempt = 1; ; attempt++) {
            port = TestGateway.freePort();
            try {
                pgCtlStart();
                return;
            } catch (IllegalStateException e) {
                if (attempt == START_ATTEMPTS || !e.getMessage().contains("could not bind")) {
                    throw e;
                }
            }
        }
    }

    private void createUserAndDatabase() {
        // the passwords are drawn from a set without quotes or backslashes: safe inside a literal
        try (Connection admin = DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/postgres", SUPERUSER, superuserPassword);
             Statement statement = admin.createStatement()) {
            statement.execute("CREATE ROLE " + USER + " LOGIN PASSWORD '" + password + "'");
            statement.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
        } catch (SQLException e) {
            throw new IllegalStateException("creating user and database in PostgreSQL on port " + port + ": "
                                            + e.getMessage() + lastLogLines(), e);
        }
    }

    private void pgCtlStart() {
        run("pg_ctl start", "pg_ctl", "start", "-D", data.toString(), "-l", log.toString(), "-o", "-p " + port, "-w",
                "-t", Long.toString(TIMEOUT_SECONDS));
        running = true;
        try {
            Runtime.getRuntime().addShutdownHook(stopAtExit);
        } catch (IllegalArgumentException alreadyAdded) {
            // resumed after a pause: the hook from the first start is still there
        }
    }

    private void stopNow() {
        run("pg_ctl stop", "pg_ctl", "stop", "-D", data.toString(), "-m", "immediate", "-w",
                "-t", Long.toString(TIMEOUT_SECONDS));
        running = false;
    }

    /** A JVM that ends without close() (a killed test run) must not leave a server running. */
    private void stopQuietly() {
        try {
            if (running) {
                stopNow();
            }
        } catch (RuntimeException ignored) {
            // the JVM is exiting: nothing more can be done
        }
    }

    /** Runs one of the server's programs to its end, as the server's user; a failure carries the log's tail. */
    private void run(String what, String program, String... arguments) {
        List<String> command = new ArrayList<>();
        if (ROOT) {
            command.add(Tools.require("setpriv", "util-linux"));
            command.addAll(AS_NOBODY);
        }
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(arguments));
        File output = null;
        try {
            output = File.createTempFile("mailroute-postgres", ".out");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(dir.toFile()) // the server's user may not read the test's working folder
                    .redirectErrorStream(true)
                    .redirectOutput(output);
            // a developer's PGPORT, PGDATA, PGHOST ... must not steer this server
            builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT_SECONDS + 30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(what + " did not end within " + (TIMEOUT_SECONDS + 30) + " s"
                                                + lastLogLines());
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(what + " failed (exit " + process.exitValue() + "): "
                                                + Files.readString(output.toPath()).strip() + lastLogLines());
            }
        } catch (IOException e) {
            throw new IllegalStateException(what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " interrupted", e);
        } finally {
            if (output != null) {
                output.delete();
            }
        }
    }

    private String lastLogLines() {
        try {
            if (!Files.exists(log)) {
                return "";
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "\n--- last lines of " + log + " ---\n"
                   + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "\n(server log " + log + " unreadable: " + e.getMessage() + ")";
        }
    }

    private void deleteFolder() {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new IllegalStateException("deleting PostgreSQL's folder " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void giveToNobody(Path path) throws IOException {
        UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal nobody = users.lookupPrincipalByName("nobody");
        GroupPrincipal nogroup = users.lookupPrincipalByGroupName("nogroup");
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        view.setOwner(nobody);
        view.setGroup(nogroup);
    }

    /** The newest major version's programs: {@code /usr/lib/postgresql/<major>/bin}. */
    private static Path newestBin() {
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(DEBIAN_PROGRAMS)) {
            try (Stream<Path> versions = Files.list(DEBIAN_PROGRAMS)) {
                versions.filter(v -> v.getFileName().toString().matches("\\d+(\\.\\d+)?"))
                        .filter(v -> Files.isExecutable(v.resolve("bin/pg_ctl"))
                                     && Files.isExecutable(v.resolve("bin/initdb")))
                        .forEach(found::add);
            } catch (IOException e) {
                throw new IllegalStateException("listing " + DEBIAN_PROGRAMS + ": " + e.getMessage(), e);
            }
        }
        return found.stream()
                .max(Comparator.comparingDouble(v -> Double.parseDouble(v.getFileName().toString())))
                .map(v -> v.resolve("bin"))
                .orElseThrow(() -> new IllegalStateException("PostgreSQL's server programs are not installed (no "
                        + DEBIAN_PROGRAMS + "/<major>/bin/pg_ctl): test-tools/install.sh installs them (Debian"
                        + " package postgresql), and mvn verify runs that script"));
    }

    /** 24 random characters; some of them a URL must escape, none that an SQL literal must. */
    private static String newPassword() {
        String letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        String urlHostile = "@:/%&?#;+=";
        StringBuilder password = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            password.append(letters.charAt(RANDOM.nextInt(letters.length())));
        }
        for (int i = 0; i < 4; i++) {
            password.insert(RANDOM.nextInt(password.length() + 1), urlHostile.charAt(RANDOM.nextInt(urlHostile.length())));
        }
        return password.toString();
    }
}
