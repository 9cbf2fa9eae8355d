package dev.mailroute.diagnostics;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailroute.files.Platform;
import dev.mailroute.ingress.smtp.SmtpUsers;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestCertificate;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code doctor} against real relays and broken setups; its output and exit code. */
class DoctorTest {

    @TempDir
    Path data;

    private String output;

    @Test
    void aHealthyPlainRelayPasses() {
        GreenMail relay = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        relay.start();
        try {
            int exit = doctor(smtp(relay.getSmtp().getPort()), "--to", "ops@example.com", "-v");
            assertThat(exit).as(output).isZero();
            assertThat(output).contains("ok    smtp connect: connected to 127.0.0.1:" + relay.getSmtp().getPort())
                    .contains("ok    smtp banner: 220 ")
                    .contains("ok    smtp rcpt-to: the relay would accept ops@example.com")
                    .contains("SMTP transcript:").contains("C: EHLO mailroute-doctor")
                    .contains("all checks passed");
            assertThat(relay.getReceivedMessages()).as("nothing was sent").isEmpty();
        } finally {
            relay.stop();
        }
    }

    @Test
    void startTlsShowsTheHandshakeAndHidesThePassword() throws Exception {
        try (ScriptedSmtpServer relay = ScriptedSmtpServer.start().offerStartTls().advertiseAuth(true)) {
            Map<String, String> config = smtp(relay.port());
            config.put("mailroute.smtp.security", "starttls-required");
            config.put("mailroute.smtp.tls.trust", "*");
            config.put("mailroute.smtp.username", "alerts");
            config.put("mailroute.smtp.password", "s3cret-password");
            int exit = doctor(config, "--json", "-v");
            JsonNode report = new ObjectMapper().readTree(output);
            assertThat(exit).as(output).isZero();
            assertThat(report.get("ok").asBoolean()).isTrue();
            assertThat(report.get("config").get("mailroute.smtp.password").asText()).isEqualTo("****");
            JsonNode tls = find(report, "tls");
            assertThat(tls.get("detail").asText()).startsWith("TLSv1.").contains("certificate").contains("valid until");
            assertThat(find(report, "ehlo").get("detail").asText()).contains("STARTTLS").contains("SIZE");
            assertThat(find(report, "auth").get("detail").asText()).isEqualTo("authenticated as alerts");
            assertThat(output).doesNotContain("s3cret-password");
        }
    }

    @Test
    void aClosedPortIsAConnectionRefusedAndExitOne() {
        int port = TestGateway.freePort();
        int exit = doctor(smtp(port));
        assertThat(exit).isEqualTo(1);
        assertThat(output).contains("FAIL  smtp connect: connection refused to 127.0.0.1:" + port)
                .contains("Fix: nothing listens there");
    }

    /** Microsoft 365 refuses MAIL FROM:<>: with reports on, doctor says so before a report parks. */
    @Test
    void aRelayThatRefusesTheReportsSenderFailsWithTheSettingToChange() {
        try (ScriptedSmtpServer relay = ScriptedSmtpServer.start()
                .replyToNullSender("550 5.7.60 SMTP; Client does not have permissions to send as this sender")) {
            Map<String, String> config = smtp(relay.port());
            assertThat(doctor(config)).as(output).isEqualTo(1);
            assertThat(output).contains("FAIL  smtp reports-sender: the relay refuses delivery status reports from <>:"
                                        + " 550 5.7.60 SMTP; Client does not have permissions")
                    .contains("Fix: set mailroute.bounce.sender to the mailbox this account may send as");
            config.put("mailroute.bounce.sender", "alerts@example.com");
            assertThat(doctor(config)).as(output).isZero();
            assertThat(output).contains("ok    smtp reports-sender: the relay takes delivery status reports from"
                                        + " <alerts@example.com>");
            config.put("mailroute.bounce.enabled", "false");
            assertThat(doctor(config)).as(output).isZero();
            assertThat(output).doesNotContain("reports-sender");
            assertThat(relay.transactions()).as("nothing was sent").isEmpty();
        }
    }

    @Test
    void aRefusedRecipientIsReportedWithTheRelaysAnswer() {
        try (ScriptedSmtpServer relay = ScriptedSmtpServer.start()
                .replyTo("nobody@example.com", "550 5.1.1 nobody here")) {
            int exit = doctor(smtp(relay.port()), "--to", "nobody@example.com", "--from", "alerts@example.com");
            assertThat(exit).isEqualTo(1);
            assertThat(output).contains("FAIL  smtp rcpt-to: the relay refuses nobody@example.com from "
                                        + "alerts@example.com: 550 5.1.1 nobody here");
            assertThat(relay.transactions()).isEmpty();
        }
    }

    @Test
    void aSpoolFolderThatCannotBeCreatedFails() throws Exception {
        Path file = Files.writeString(data.resolve("not-a-folder"), "x");
        Map<String, String> config = base();
        config.put("mailroute.spool.dir", file.resolve("spool").toString());
        int exit = doctor(config);
        assertThat(exit).isEqualTo(1);
        assertThat(output).contains("FAIL  folders spool: spool folder " + file.resolve("spool")
                                    + " cannot be created by user " + System.getProperty("user.name"));
    }

    /** On Windows, with SMTPSVC running and mailroute meant for port 25: what sc query printed, through the seam. */
    @Test
    void onWindowsARunningIisSmtpServiceFailsWhenTheListenerWantsPort25() throws Exception {
        Map<String, String> config = base();
        config.put("mailroute.smtpd.port", "25");
        List<String> asked = new ArrayList<>();
        try (AutoCloseable windows = Platform.use(new Platform(true) { })) {
            int exit = doctor(config, service -> {
                asked.add(service);
                return new WindowsService.Answer(0, WindowsServiceTest.RUNNING);
            });
            assertThat(exit).isEqualTo(1);
        }
        assertThat(asked).containsExactly("SMTPSVC");
        assertThat(output).contains("FAIL  ports smtpsvc: the IIS SMTP service (SMTPSVC) is running and holds port 25"
                                    + " (its default virtual server's port), where mailroute.smtpd.port=25 wants to"
                                    + " listen. Fix: Stop-Service SMTPSVC; Set-Service SMTPSVC -StartupType Disabled"
                                    + " (or set mailroute.smtpd.port to another port)");
    }

    @Test
    void onWindowsAStoppedOrMissingIisSmtpServiceIsReportedAndPasses() throws Exception {
        try (AutoCloseable windows = Platform.use(new Platform(true) { })) {
            doctor(base(), service -> new WindowsService.Answer(0, WindowsServiceTest.STOPPED));
            assertThat(output).contains("ok    ports smtpsvc: the IIS SMTP service (SMTPSVC) is installed and stopped;"
                                        + " keep it disabled");
            assertThat(doctor(base(), service -> new WindowsService.Answer(1060, WindowsServiceTest.ABSENT))).isZero();
            assertThat(output).contains("ok    ports smtpsvc: the IIS SMTP service (SMTPSVC) is not installed");
            // running, but mailroute listens elsewhere: said, not failed
            doctor(base(), service -> new WindowsService.Answer(0, WindowsServiceTest.RUNNING));
            assertThat(output).contains("ok    ports smtpsvc: the IIS SMTP service (SMTPSVC) is running and holds port"
                                        + " 25 (its default virtual server's port); mailroute's listener is on port");
        }
    }

    /** Elsewhere sc is never asked, and the check is not shown. */
    @Test
    void offWindowsTheIisSmtpServiceIsNotAsked() throws Exception {
        List<String> asked = new ArrayList<>();
        try (AutoCloseable linux = Platform.use(new Platform(false) { })) {
            assertThat(doctor(base(), service -> {
                asked.add(service);
                return new WindowsService.Answer(0, WindowsServiceTest.RUNNING);
            })).as(output).isZero();
        }
        assertThat(asked).isEmpty();
        assertThat(output).doesNotContain("smtpsvc");
    }

    /** Through the seam: the rejected folder on another volume than the inbox, as another drive letter would be. */
    @Test
    void anInboxAndRejectedFolderOnDifferentVolumesFail() throws Exception {
        Path rejected = data.resolve("elsewhere").resolve("rejected");
        Platform otherDrive = new Platform(true) {
            @Override
            public boolean sameVolume(Path a, Path b) {
                return !b.toAbsolutePath().normalize().equals(rejected);
            }
        };
        Map<String, String> config = base();
        config.put("mailroute.rejected.dir", rejected.toString());
        try (AutoCloseable windows = Platform.use(otherDrive)) {
            int exit = doctor(config);
            assertThat(exit).isEqualTo(1);
        }
        assertThat(output).contains("FAIL  folders same volume: mailroute.inbox.dir=" + data.resolve("inbox")
                                    + " and mailroute.rejected.dir=" + rejected + " are on different volumes")
                .contains("Fix: set mailroute.rejected.dir to a folder on the volume of mailroute.inbox.dir, e.g. "
                          + data.resolve("rejected") + ".");
        assertThat(doctor(base())).as(output).isZero();
        assertThat(output).contains("ok    folders same volume: the inbox and rejected folders are on one volume");
    }

    /** A real second volume where there is one: /dev/shm, a tmpfs on Linux. */
    @Test
    void aRejectedFolderOnARealOtherVolumeFails() throws Exception {
        Path shm = Path.of("/dev/shm");
        Assumptions.assumeTrue(Files.isDirectory(shm) && !Files.getFileStore(shm).equals(Files.getFileStore(data)),
                "needs /dev/shm on another file system than " + data);
        Path rejected = Scratch.folder(shm, "mailroute-rejected-");
        try {
            Map<String, String> config = base();
            config.put("mailroute.rejected.dir", rejected.toString());
            assertThat(doctor(config)).isEqualTo(1);
            assertThat(output).contains("FAIL  folders same volume: mailroute.inbox.dir=" + data.resolve("inbox")
                                        + " and mailroute.rejected.dir=" + rejected + " are on different volumes");
        } finally {
            Files.deleteIfExists(rejected);
        }
    }

    @Test
    void aPortSomethingElseListensOnFails() throws Exception {
        Map<String, String> config = base();
        int port = TestGateway.freePort();
        config.put("mailroute.http.port", Integer.toString(port));
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", port));
            int exit = doctor(config);
            assertThat(exit).isEqualTo(1);
            assertThat(output).contains("FAIL  ports http: 127.0.0.1:" + port + " cannot be listened on")
                    .contains("Fix: stop what uses that port, or set mailroute.http.port to a free one")
                    .contains("ok    ports broker: 127.0.0.1:");
        }
    }

    @Test
    void theSmtpListenersCertificateKeyAndUsersAreChecked() throws Exception {
        TestCertificate certificate = TestCertificate.make(data);
        TestCertificate other = TestCertificate.make(Files.createDirectories(data.resolve("other")));
        Path users = Files.writeString(data.resolve("smtpd-users"), "app:" + SmtpUsers.hash("pw") + "\n");
        Map<String, String> config = base();
        config.put("mailroute.smtpd.tls.cert", certificate.cert().toString());
        config.put("mailroute.smtpd.tls.key", certificate.key().toString());
        config.put("mailroute.smtpd.users", users.toString());
        int exit = doctor(config);
        assertThat(exit).as(output).isZero();
        assertThat(output).containsPattern("ok    smtpd tls: CN=localhost, valid until \\S+ \\(1 days left\\)")
                .contains("ok    smtpd users: " + users + ": 1 user")
                .contains("ok    ports smtpd: 127.0.0.1:" + config.get("mailroute.smtpd.port"));

        config.put("mailroute.smtpd.tls.key", other.key().toString());
        assertThat(doctor(config)).isEqualTo(1);
        assertThat(output).contains("FAIL  smtpd tls: mailroute.smtpd.tls.cert=" + certificate.cert())
                .contains("the private key is not the certificate's");
    }

    /** What the start-up checks refuse, doctor reports: a client list that is much of the internet is none. */
    @Test
    void anSmtpListenerThatWouldBeAnOpenRelayFails() {
        Map<String, String> config = base();
        config.put("mailroute.smtpd.host", "0.0.0.0");
        config.put("mailroute.smtpd.allowedClients", "0.0.0.0/1, 128.0.0.0/1");
        assertThat(doctor(config)).as(output).isEqualTo(1);
        assertThat(output).contains("FAIL  smtpd exposure: mailroute.smtpd.allowedClients=0.0.0.0/1, 128.0.0.0/1: the"
                                    + " SMTP listener relays for anyone on the internet without AUTH (an open relay):"
                                    + " they cover 4260233216 public IPv4 addresses (all of them; more than a /8"
                                    + " holds). Fix: narrow mailroute.smtpd.allowedClients");

        config.put("mailroute.smtpd.allowedClients", "::/1, 8000::/1");
        assertThat(doctor(config)).as(output).isEqualTo(1);
        assertThat(output).contains("FAIL  smtpd exposure: mailroute.smtpd.allowedClients=::/1, 8000::/1:")
                .contains("and all of the public IPv6 addresses (more than a /32 holds)");

        config.put("mailroute.smtpd.allowedClients", "10.0.0.0/8, 192.0.2.0/24");
        assertThat(doctor(config)).as(output).isZero();
        assertThat(output).contains("ok    smtpd exposure: 0.0.0.0:" + config.get("mailroute.smtpd.port")
                                    + " for clients 10.0.0.0/8, 192.0.2.0/24");
    }

    /** A token URL's user:password@ and ?client_secret=, a broker URL's ?user=&password=: never shown. */
    @Test
    void credentialsInConfiguredUrlsAreMasked() {
        String[] secrets = {"url-password-0123456789", "param-secret-0123456789", "broker-url-password-0123456789"};
        int tokenPort = TestGateway.freePort();
        int brokerPort = TestGateway.freePort();
        try (ScriptedSmtpServer relay = ScriptedSmtpServer.start().offerStartTls().advertiseAuth(true)) {
            Map<String, String> config = smtp(relay.port());
            config.put("mailroute.smtp.security", "starttls-required");
            config.put("mailroute.smtp.tls.trust", "*");
            config.put("mailroute.smtp.auth", "oauth2");
            config.put("mailroute.smtp.username", "alerts@example.com");
            config.put("mailroute.smtp.oauth2.provider", "generic");
            config.put("mailroute.smtp.oauth2.clientId", "mailroute");
            config.put("mailroute.smtp.oauth2.clientSecret", "client-secret-0123456789");
            config.put("mailroute.smtp.oauth2.scope", "smtp.send");
            config.put("mailroute.smtp.oauth2.tokenUrl", "https://mailroute:" + secrets[0] + "@127.0.0.1:" + tokenPort
                                                         + "/token?client_secret=" + secrets[1]);
            config.put("mailroute.broker.url", "tcp://127.0.0.1:" + brokerPort + "?user=peer&password=" + secrets[2]);
            assertThat(doctor(config, "-v")).as(output).isEqualTo(1);
        }
        assertThat(output).contains("mailroute.smtp.oauth2.tokenUrl = https://****@127.0.0.1:" + tokenPort
                                    + "/token?client_secret=****")
                .contains("mailroute.broker.url = tcp://127.0.0.1:" + brokerPort + "?user=****&password=****")
                .contains("FAIL  smtp oauth2-token: cannot get a token from https://****@127.0.0.1:" + tokenPort
                          + "/token?client_secret=****: ")
                .contains("FAIL  broker reachable: cannot ask the broker tcp://127.0.0.1:" + brokerPort
                          + "?user=****&password=****");
        for (String secret : secrets) {
            assertThat(output).doesNotContain(secret);
        }
    }

    /** Each endpoint's address against the rules, its secret masked in the listing and never shown. */
    @Test
    void webhookEndpointsAreCheckedAgainstTheAddressRulesAndTheirSecretsHidden() {
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        GreenMail relay = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        relay.start();
        try {
            Map<String, String> config = smtp(relay.getSmtp().getPort());
            config.put("mailroute.webhooks", "local, metadata");
            config.put("mailroute.webhooks.local.url", "http://127.0.0.1:9/hooks");
            config.put("mailroute.webhooks.local.allowInsecureLoopback", "true");
            config.put("mailroute.webhooks.local.events", "bounced");
            config.put("mailroute.webhooks.local.secret", secret);
            config.put("mailroute.webhooks.metadata.url", "https://169.254.169.254/latest/meta-data");
            config.put("mailroute.webhooks.metadata.allowPrivate", "true");
            config.put("mailroute.webhooks.metadata.secret", secret);
            assertThat(doctor(config, "-v")).as(output).isEqualTo(1);
        } finally {
            relay.stop();
        }
        assertThat(output).contains("ok    webhooks webhook local: http://127.0.0.1:9/... resolves to 127.0.0.1;"
                                    + " events [bounced]")
                .contains("FAIL  webhooks webhook metadata: 169.254.169.254 resolves to 169.254.169.254, a link-local"
                          + " address")
                .contains("mailroute.webhooks.local.secret = ****")
                .contains("mailroute.webhooks.local.url = http://127.0.0.1:9/...")
                .contains("mailroute.webhooks.metadata.allowInsecureLoopback = false")
                .doesNotContain(secret.substring(6));
    }

    /** A mistyped switch is refused rather than read as false; every refusal names the key. */
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "mailroute.pickup.fsync, ture, is not true or false",
            "mailroute.retry.multiplier, 2x, is not a number",
            "mailroute.smtp.connections, four, is not a whole number",
            "mailroute.http.port, 0, is not a port",
            "mailroute.retry.maxAge, two days, is not a duration"})
    void aMistypedSettingIsRefusedWithItsKey(String key, String value, String reason) {
        Map<String, String> config = base();
        config.put(key, value);
        int exit = doctor(config);
        assertThat(exit).isEqualTo(1);
        assertThat(output).contains("FAIL  config settings: " + key + "=" + value + " " + reason);
    }

    private Map<String, String> base() {
        Map<String, String> config = new HashMap<>();
        config.put("mailroute.data.dir", data.toString());
        config.put("mailroute.broker.port", Integer.toString(TestGateway.freePort()));
        config.put("mailroute.smtpd.port", Integer.toString(TestGateway.freePort()));
        return config;
    }

    /** The command line: help for every option, and a wrong one is 2 with the fix, before any check runs. */
    @Test
    void aWrongCommandLineIsTwoWithTheFixAndHelpNamesEveryOption() {
        assertThat(doctor(Map.of(), "--to")).isEqualTo(2);
        assertThat(output.strip()).isEqualTo("mailroute doctor: Missing required parameter for option '--to'"
                                             + " (ADDRESS). Fix: see mailroute doctor --help");
        assertThat(doctor(Map.of(), "--bogus")).isEqualTo(2);
        assertThat(output).startsWith("mailroute doctor: Unknown option: '--bogus'");
        assertThat(doctor(Map.of(), "--help")).isZero();
        assertThat(output).startsWith("Usage: mailroute doctor").contains("--to=ADDRESS", "--from=ADDRESS", "--json",
                "-v, --verbose");
    }

    private Map<String, String> smtp(int port) {
        Map<String, String> config = base();
        config.put("mailroute.transport", "smtp");
        config.put("mailroute.smtp.host", "127.0.0.1");
        config.put("mailroute.smtp.port", Integer.toString(port));
        config.put("mailroute.smtp.timeout", "3s");
        return config;
    }

    private int doctor(Map<String, String> config, String... args) {
        return doctor(config, WindowsService.SC_EXE, args);
    }

    private int doctor(Map<String, String> config, WindowsService.Sc sc, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = Doctor.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8), config, sc);
        output = bytes.toString(StandardCharsets.UTF_8);
        return exit;
    }

    private static JsonNode find(JsonNode report, String check) {
        for (JsonNode node : report.get("checks")) {
            if (node.get("check").asText().equals(check)) {
                return node;
            }
        }
        throw new AssertionError("no check " + check + " in " + report);
    }
}
