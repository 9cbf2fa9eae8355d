package dev.mailroute;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.mailroute.ingress.smtp.SmtpUsers;
import dev.mailroute.support.GatewayConfig;
import dev.mailroute.support.GatewayProcess;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A start that cannot do what it was configured to do stops with exit code 2 and one line that
 * names the key and the fix — the gateway in its own JVM, as operators run it.
 */
class StartupFailureTest {

    @TempDir
    Path data;

    @Test
    void aTakenHttpPortStopsTheStart() throws Exception {
        GatewayConfig config = TestGateway.on(data);
        int port = Integer.parseInt(config.get("mailroute.http.port"));
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", port));
            assertRefused(config, "mailroute: cannot start: mailroute.http.port=" + port + ": cannot listen on 127.0.0.1:"
                                  + port + " (Address already in use). Fix: stop what uses that port, or set"
                                  + " mailroute.http.port");
        }
    }

    @Test
    void aTakenBrokerPortStopsTheStart() throws Exception {
        GatewayConfig config = TestGateway.on(data);
        int port = Integer.parseInt(config.get("mailroute.broker.port"));
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", port));
            assertRefused(config, "mailroute: cannot start: mailroute.broker.port=" + port
                                  + ": the embedded broker cannot listen on 127.0.0.1:" + port);
        }
    }

    /** Artemis would wait for its journal's lock forever, without a word; two inboxes would read the same files. */
    @Test
    void aSecondInstanceOnTheSameFoldersStopsAtOnce() throws Exception {
        GatewayConfig first = TestGateway.on(data);
        try (GatewayProcess running = GatewayProcess.start(first)) {
            running.awaitStarted();
            GatewayConfig second = first.copy().with("mailroute.http.port", Integer.toString(TestGateway.freePort()))
                    .with("mailroute.broker.port", Integer.toString(TestGateway.freePort()));
            assertRefused(second, "mailroute: cannot start: mailroute.inbox.dir=" + data.resolve("inbox")
                                  + ": another mailroute uses this folder");
        }
    }

    @Test
    void aValueThatDoesNotParseStopsTheStart() throws Exception {
        assertRefused(TestGateway.on(data).with("mailroute.http.port", "abc"),
                "mailroute: cannot start: mailroute.http.port=abc is not a whole number");
        assertRefused(TestGateway.on(data).with("mailroute.broker.port", "70000"),
                "mailroute: cannot start: mailroute.broker.port=70000 is not a port; it must be 1 to 65535");
        assertRefused(TestGateway.on(data).with("mailroute.ledger.url", "jdbc:mysql://db/mailroute"),
                "mailroute: cannot start: mailroute.ledger.url must be a jdbc:postgresql://host:port/database URL");
        assertRefused(TestGateway.on(data).with("mailroute.bounce.copyTo", "postmaster, abuse@example.com"),
                "mailroute: cannot start: mailroute.bounce.copyTo must be one mailbox such as alerts@example.com");
    }

    /** A webhook secret that is not one: the start stops naming its variable, and never shows the value. */
    @Test
    void aWebhookSecretThatIsNotOneStopsTheStartWithoutShowingIt() throws Exception {
        GatewayConfig config = TestGateway.on(data).with("mailroute.webhooks", "crm")
                .with("mailroute.webhooks.crm.url", "https://crm.example.com/hooks")
                .with("mailroute.webhooks.crm.secret", "hunter2-secret-value");
        try (GatewayProcess gateway = GatewayProcess.start(config)) {
            assertThat(gateway.awaitExit()).as(gateway.output()).isEqualTo(2);
            assertThat(gateway.output()).contains("mailroute: cannot start: mailroute.webhooks.crm.secret is not a"
                    + " Standard Webhooks secret (whsec_ and base64 of 24 bytes or more): set"
                    + " MAILROUTE_WEBHOOKS_CRM_SECRET=whsec_$(openssl rand -base64 32)")
                    .doesNotContain("hunter2").doesNotContain("\tat ");
        }
    }

    /** 0 would switch Artemis' handshake timeout off; whole seconds are what its acceptor takes. */
    @Test
    void aBrokerHandshakeTimeoutOutOfRangeStopsTheStart() throws Exception {
        assertRefused(TestGateway.on(data).with("mailroute.broker.handshakeTimeout", "0s"),
                "mailroute: cannot start: mailroute.broker.handshakeTimeout=0s is out of range; it must be 1s to 10m");
    }

    @Test
    void aMessageSizeTheHeapCannotHoldStopsTheStart() throws Exception {
        // the child JVM runs with -Xmx256m, as config/jvm.options says
        assertRefused(TestGateway.on(data).with("mailroute.message.maxBytes", "25MiB"),
                "mailroute: cannot start: mailroute.message.maxBytes=25MiB: accepting a message of that size can take"
                + " 16 times its size in memory, and the heap is 256 MiB. Fix: raise -Xmx in config/jvm.options to at"
                + " least 464m, or lower mailroute.message.maxBytes");
    }

    @Test
    void anApiOnAllInterfacesWithoutKeysIsRefusedUnlessTheOperatorOptsIn() throws Exception {
        GatewayConfig open = TestGateway.on(data).with("mailroute.http.host", "0.0.0.0");
        assertRefused(open, "mailroute: cannot start: mailroute.http.host=0.0.0.0: the HTTP API on 0.0.0.0:"
                            + open.get("mailroute.http.port") + " accepts mail without an API key from anyone who"
                            + " reaches it. Fix: set MAILROUTE_API_KEYS");

        try (GatewayProcess gateway = GatewayProcess.start(open.copy()
                .with("mailroute.security.allowUnauthenticated", "true"))) {
            gateway.awaitStarted();
            assertThat(gateway.output()).contains("WARN").contains("mailroute.security.allowUnauthenticated=true: the"
                                                                   + " HTTP API on 0.0.0.0:");
        }
    }

    @Test
    void anSmtpListenerBeyondLoopbackNeedsAuthOrAClientListOfTheOperators() throws Exception {
        GatewayConfig open = TestGateway.on(data).with("mailroute.smtpd.host", "0.0.0.0");
        assertRefused(open, "mailroute: cannot start: mailroute.smtpd.host=0.0.0.0: the SMTP listener on 0.0.0.0:"
                            + open.get("mailroute.smtpd.port") + " listens beyond loopback with neither AUTH required"
                            + " nor a client list of yours. Fix: set mailroute.smtpd.allowedClients");
        assertRefused(open.copy().with("mailroute.smtpd.allowedClients", "10.0.0.0/8, 0.0.0.0/0"),
                "mailroute: cannot start: mailroute.smtpd.allowedClients=10.0.0.0/8, 0.0.0.0/0: the SMTP listener"
                + " relays for anyone on the internet without AUTH (an open relay)");
        Path users = data.resolve("smtpd-users");
        Files.writeString(users, "app:" + SmtpUsers.hash("secret") + "\n");
        assertRefused(open.copy().with("mailroute.smtpd.users", users.toString())
                        .with("mailroute.smtpd.requireAuth", "true"),
                "mailroute: cannot start: mailroute.smtpd.requireAuth=true: clients on other machines may"
                + " authenticate only after STARTTLS, and mailroute.smtpd.tls.cert is not set");
    }

    /** 0.0.0.0/0 in two halves is still everyone: the list is judged by the public addresses it covers. */
    @Test
    void anSmtpClientListThatCoversMuchOfTheInternetIsAnOpenRelay() throws Exception {
        assertRefused(TestGateway.on(data).with("mailroute.smtpd.host", "0.0.0.0")
                        .with("mailroute.smtpd.allowedClients", "0.0.0.0/1, 128.0.0.0/1"),
                "mailroute: cannot start: mailroute.smtpd.allowedClients=0.0.0.0/1, 128.0.0.0/1: the SMTP listener"
                + " relays for anyone on the internet without AUTH (an open relay): they cover 4260233216 public"
                + " IPv4 addresses (all of them; more than a /8 holds). Fix: narrow mailroute.smtpd.allowedClients");
    }

    @Test
    void aTakenSmtpListenerPortStopsTheStart() throws Exception {
        GatewayConfig config = TestGateway.on(data);
        int port = config.smtpdPort();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", port));
            assertRefused(config, "mailroute: cannot start: mailroute.smtpd.port=" + port + ": the SMTP listener"
                                  + " cannot listen on 127.0.0.1:" + port);
        }
    }

    /** Spring's encoder would read {noop}password; a users file holds hashes only. */
    @Test
    void aUsersFileWithAPasswordInPlainTextStopsTheStart() throws Exception {
        Path users = data.resolve("smtpd-users");
        Files.writeString(users, "# users\napp:{noop}secret\n");
        assertRefused(TestGateway.on(data).with("mailroute.smtpd.users", users.toString()),
                "mailroute: cannot start: mailroute.smtpd.users=" + users + ", line 2: the hash is {noop}, which is"
                + " not one of {bcrypt} or {pbkdf2}");
    }

    @Test
    void noSecretAppearsInTheLogOrInDoctor() throws Exception {
        String[] secrets = {"api-key-0123456789", "smtp-password-0123456789", "submit-password-0123456789",
                            "broker-password-0123456789", "ledger-password-0123456789", "ledger-url-secret-0123456789"};
        GatewayConfig config = TestGateway.on(data)
                .with("mailroute.api.keys", secrets[0] + ", second-key=*@example.com")
                .with("mailroute.smtp.username", "alerts").with("mailroute.smtp.password", secrets[1])
                .with("mailroute.broker.submitPassword", secrets[2])
                .with("mailroute.broker.username", "peer").with("mailroute.broker.password", secrets[3])
                // a ledger that cannot be reached: its errors are logged and doctor reports them
                .with("mailroute.ledger.url", "jdbc:postgresql://127.0.0.1:1/mailroute?password=" + secrets[5])
                .with("mailroute.ledger.username", "ledger").with("mailroute.ledger.password", secrets[4]);
        String output;
        try (GatewayProcess gateway = GatewayProcess.start(config)) {
            gateway.awaitStarted();
            try (GatewayProcess doctor = GatewayProcess.start(config, "doctor", "-v")) {
                doctor.awaitExit();
                output = gateway.output() + doctor.output();
                assertThat(doctor.output()).contains("mailroute.smtp.password = ****")
                        .contains("mailroute.api.keys = ****").contains("mailroute.broker.submitPassword = ****");
            }
        }
        for (String secret : secrets) {
            assertThat(output).doesNotContain(secret);
        }
        assertThat(output).doesNotContain("second-key");
    }

    /**
     * A real second volume: /dev/shm, a tmpfs on Linux, is another file system than the temporary
     * folder's. Where it is not (or is missing, as on Windows), the test says so and is skipped.
     */
    @Test
    void aRejectedFolderOnAnotherVolumeThanTheInboxStopsTheStart() throws Exception {
        Path shm = Path.of("/dev/shm");
        Assumptions.assumeTrue(Files.isDirectory(shm) && !Files.getFileStore(shm).equals(Files.getFileStore(data)),
                "needs /dev/shm on another file system than " + data);
        Path rejected = Scratch.folder(shm, "mailroute-rejected-");
        try {
            assertRefused(TestGateway.on(data).with("mailroute.rejected.dir", rejected.toString()),
                    "mailroute: cannot start: mailroute.inbox.dir=" + data.resolve("inbox") + " and mailroute.rejected.dir="
                    + rejected + " are on different volumes: a file cannot be moved from one to the other in one step,"
                    + " and mailroute never copies it instead. Fix: set mailroute.rejected.dir to a folder on the"
                    + " volume of mailroute.inbox.dir, e.g. " + data.resolve("rejected") + ".");
        } finally {
            Files.deleteIfExists(rejected);
        }
    }

    private static void assertRefused(GatewayConfig config, String line) throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(config)) {
            assertThat(gateway.awaitExit()).as(gateway.output()).isEqualTo(2);
            assertThat(gateway.output()).contains(line);
            assertThat(gateway.output()).as("no stack trace").doesNotContain("\tat ");
        }
    }
}
