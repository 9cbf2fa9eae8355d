package dev.mailroute.diagnostics;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailroute.ingress.smtp.SmtpUsers;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestCertificate;
import dev.mailroute.support.TestGateway;
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

    private Map<String, String> smtp(int port) {
        Map<String, String> config = base();
        config.put("mailroute.transport", "smtp");
        config.put("mailroute.smtp.host", "127.0.0.1");
        config.put("mailroute.smtp.port", Integer.toString(port));
        config.put("mailroute.smtp.timeout", "3s");
        return config;
    }

    private int doctor(Map<String, String> config, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = Doctor.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8), config);
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
