package dev.mailroute.ingress;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

import dev.mailroute.ingress.smtp.SmtpUsers;
import dev.mailroute.support.GatewayProcess;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.SmtpClient;
import dev.mailroute.support.TestCertificate;
import dev.mailroute.support.TestGateway;
import dev.mailroute.support.Tools;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Who may relay through the SMTP listener: STARTTLS with a certificate from PEM files, AUTH
 * against a users file of bcrypt hashes (required here), per-user sender patterns, AUTH never in
 * plain text to a client that is not on this machine, STARTTLS required, and the session limits.
 */
class SmtpListenerSecurityTest {

    private static final String PASSWORD = "correct horse battery staple";

    private static Path folder;
    private static TestCertificate certificate;
    private static ScriptedSmtpServer relay;
    private static TestGateway gateway;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        folder = Scratch.folder("mailroute-smtpd-security");
        certificate = TestCertificate.make(folder);
        Path users = folder.resolve("smtpd-users");
        // the hash as an operator makes it: java -jar mailroute.jar hash-password
        Tools.Result hashed = Tools.run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", GatewayProcess.testClasspath(), "dev.mailroute.MailrouteApplication", "hash-password"),
                PASSWORD + "\n", 60);
        assertThat(hashed.exit()).as(hashed.output()).isZero();
        assertThat(hashed.output()).startsWith("{bcrypt}$2a$").doesNotContain(PASSWORD);
        Files.writeString(users, String.join("\n",
                "# user:hash[:sender patterns]",
                "app:" + hashed.output().strip(),
                "billing:" + SmtpUsers.hash(PASSWORD) + ":*@billing.example.com",
                ""));
        relay = ScriptedSmtpServer.start();
        gateway = TestGateway.on(folder.resolve("data")).smtp(relay.port())
                .with("mailroute.senders.allowed", "*@example.com, *@billing.example.com")
                .with("mailroute.smtpd.users", users.toString())
                .with("mailroute.smtpd.requireAuth", "true")
                .with("mailroute.smtpd.tls.cert", certificate.cert().toString())
                .with("mailroute.smtpd.tls.key", certificate.key().toString())
                .start();
        port = gateway.smtpdPort();
    }

    @AfterAll
    static void stop() {
        gateway.close();
        relay.close();
    }

    @Test
    void jakartaMailStartsTlsAuthenticatesAndSends() throws Exception {
        Session session = Session.getInstance(jakartaProperties(true));
        MimeMessage message = new MimeMessage(session);
        message.setFrom("app@example.com");
        message.setRecipients(MimeMessage.RecipientType.TO, "to@example.com");
        message.setSubject("over starttls");
        message.setText("sent after STARTTLS and AUTH\n");
        try (SMTPTransport transport = (SMTPTransport) session.getTransport("smtp")) {
            transport.connect("app", PASSWORD);
            assertThat(transport.isSSL()).as("the session is under TLS").isTrue();
            transport.sendMessage(message, message.getAllRecipients());
            assertThat(transport.getLastServerResponse()).startsWith("250 2.0.0 Ok: queued as");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> relay.deliveriesTo("to@example.com") > 0);
    }

    @Test
    void aWrongPasswordIs535AndCounted() {
        double before = Math.max(0, gateway.metric("mailroute_smtpd_refusals_total\\{reason=\"auth-failed\"}"));
        Session session = Session.getInstance(jakartaProperties(true));
        assertThatThrownBy(() -> {
            try (SMTPTransport transport = (SMTPTransport) session.getTransport("smtp")) {
                transport.connect("app", "not the password");
            }
        }).isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("535 ");
        assertThat(gateway.metric("mailroute_smtpd_refusals_total\\{reason=\"auth-failed\"}")).isEqualTo(before + 1);
    }

    @Test
    void withoutAuthMailIsRefused() {
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", port)) {
            client.greeting();
            assertThat(client.command("EHLO client.example.com")).contains("250-STARTTLS").contains("AUTH ");
            assertThat(client.command("MAIL FROM:<app@example.com>")).startsWith("530 5.7.0");
        }
    }

    @Test
    void aUsersSenderPatternsNarrowWhatItMaySendAs() {
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", port)) {
            client.greeting();
            client.command("EHLO client.example.com");
            // a loopback client may authenticate without TLS: the password never crosses a network
            assertThat(client.command("AUTH PLAIN " + plain("billing", PASSWORD))).startsWith("235");
            assertThat(client.command("MAIL FROM:<app@example.com>")).startsWith("553 5.7.1")
                    .contains("'app@example.com'");
            assertThat(client.command("MAIL FROM:<invoices@billing.example.com>")).startsWith("250");
            assertThat(client.command("RCPT TO:<to@example.com>")).startsWith("250");
            assertThat(client.command("DATA")).startsWith("354");
            assertThat(client.command("From: app@example.com\r\nSubject: header sender\r\n\r\nx\r\n."))
                    .as("the From: header is held to the same patterns").startsWith("553 5.7.1");
        }
    }

    @Test
    void swaksSendsWithStartTlsAndAuthPlain() {
        String swaks = Tools.require("swaks", "swaks");
        Tools.Result result = Tools.run(List.of(swaks, "--server", "127.0.0.1:" + port, "--tls",
                "--auth", "PLAIN", "--auth-user", "app", "--auth-password", PASSWORD,
                "--from", "app@example.com", "--to", "swaks-tls@example.com", "--header", "Subject: swaks tls"), 60);
        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("TLS started").contains("235 ").contains("250 2.0.0 Ok: queued as");
        await().atMost(Duration.ofSeconds(20)).until(() -> relay.deliveriesTo("swaks-tls@example.com") == 1);
    }

    @Test
    void tlsBelowVersion12IsRefused() {
        String openssl = Tools.require("openssl", "openssl");
        Tools.Result result = Tools.run(List.of("timeout", "20", openssl, "s_client", "-starttls", "smtp",
                "-connect", "127.0.0.1:" + port, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"), 30);
        assertThat(result.exit()).as(result.output()).isNotZero();
        Tools.Result modern = Tools.run(List.of("timeout", "20", openssl, "s_client", "-starttls", "smtp",
                "-connect", "127.0.0.1:" + port, "-tls1_2", "-CAfile", certificate.cert().toString(),
                "-verify_return_error", "-brief"), 30);
        assertThat(modern.output()).contains("Protocol version: TLSv1.2").contains("Verification: OK");
    }

    /** A client that is not on this machine is never offered AUTH before STARTTLS, and never taken. */
    @Test
    void authIsNeitherOfferedNorTakenInPlainTextFromAnotherHost(@TempDir Path data) throws Exception {
        InetAddress address = nonLoopbackAddress();
        assumeThat(address).as("this machine has a non-loopback IPv4 address to listen and connect on")
                .isNotNull();
        String host = address.getHostAddress();
        try (TestGateway remote = TestGateway.on(data).smtp(relay.port())
                .with("mailroute.smtpd.host", host).with("mailroute.smtpd.allowedClients", host + "/32")
                .with("mailroute.smtpd.users", folder.resolve("smtpd-users").toString())
                .with("mailroute.smtpd.tls.cert", certificate.cert().toString())
                .with("mailroute.smtpd.tls.key", certificate.key().toString()).start();
             SmtpClient client = SmtpClient.connect(host, remote.smtpdPort())) {
            assertThat(client.greeting()).startsWith("220 ");
            assertThat(client.command("EHLO client.example.com")).contains("250-STARTTLS").doesNotContain("AUTH");
            assertThat(client.command("AUTH PLAIN " + plain("app", PASSWORD))).startsWith("538 5.7.11");
        }
    }

    @Test
    void requiredTlsRefusesMailAndSessionLimitsAreAnswered(@TempDir Path data) throws Exception {
        try (TestGateway strict = TestGateway.on(data).smtp(relay.port())
                .with("mailroute.smtpd.tls.cert", certificate.cert().toString())
                .with("mailroute.smtpd.tls.key", certificate.key().toString())
                .with("mailroute.smtpd.tls.required", "true")
                .with("mailroute.smtpd.maxConnections", "2")
                .with("mailroute.smtpd.timeout", "2s").start()) {
            int strictPort = strict.smtpdPort();
            try (SmtpClient first = SmtpClient.connect("127.0.0.1", strictPort);
                 SmtpClient second = SmtpClient.connect("127.0.0.1", strictPort)) {
                first.greeting();
                second.greeting();
                assertThat(first.command("EHLO client.example.com")).contains("250-STARTTLS");
                assertThat(first.command("MAIL FROM:<app@example.com>")).startsWith("530 ")
                        .contains("STARTTLS");
                try (SmtpClient third = SmtpClient.connect("127.0.0.1", strictPort)) {
                    assertThat(third.greeting()).startsWith("421 4.7.0");
                }
                // an idle session is closed after mailroute.smtpd.timeout
                long start = System.nanoTime();
                assertThat(second.reply()).startsWith("421");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            }
            assertThat(strict.metric("mailroute_smtpd_refusals_total\\{reason=\"too-many-connections\"}")).isEqualTo(1);
            // both sessions ended: there is room again
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                try (SmtpClient again = SmtpClient.connect("127.0.0.1", strictPort)) {
                    assertThat(again.greeting()).startsWith("220 ");
                }
            });
        }
    }

    private static Properties jakartaProperties(boolean auth) {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", Integer.toString(port));
        props.put("mail.smtp.auth", Boolean.toString(auth));
        props.put("mail.smtp.starttls.enable", "true");
        props.put("mail.smtp.starttls.required", "true");
        props.put("mail.smtp.ssl.socketFactory", certificate.trustingSockets());
        props.put("mail.smtp.ssl.checkserveridentity", "true");
        return props;
    }

    private static String plain(String user, String password) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static InetAddress nonLoopbackAddress() throws SocketException {
        for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!network.isUp() || network.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(network.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLinkLocalAddress()) {
                    return address;
                }
            }
        }
        return null;
    }
}
