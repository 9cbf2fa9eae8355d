package dev.mailroute.ingress.smtp;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Properties;

import dev.mailroute.support.LogCapture;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.SmtpClient;
import dev.mailroute.support.TestCertificate;
import dev.mailroute.support.TestGateway;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a hostile client says to the SMTP listener, spoken raw: envelope arguments that cannot be
 * delivered, MAIL/RCPT parameters that were never announced, guessing passwords, a HELO name
 * meant for the Received: header, and AUTH carried across STARTTLS. Each is answered at the
 * command that carries it, naming what is wrong.
 */
class SmtpDialogueHostileTest {

    private static final String PASSWORD = "correct horse battery staple";
    private static final String EVENTS = "mailroute.events";

    private static TestCertificate certificate;
    private static ScriptedSmtpServer relay;
    private static TestGateway gateway;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        Path folder = Scratch.folder("mailroute-smtpd-hostile");
        certificate = TestCertificate.make(folder);
        Path users = folder.resolve("smtpd-users");
        Files.writeString(users, "app:" + SmtpUsers.hash(PASSWORD) + "\n");
        relay = ScriptedSmtpServer.start();
        gateway = TestGateway.on(folder.resolve("data")).smtp(relay.port())
                .with("mailroute.senders.allowed", "*@example.com")
                .with("mailroute.message.maxBytes", "1MiB")
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
    void recipientsThatCannotBeDeliveredAreRefusedAtRcptAndTheValidOnesStillGo() {
        try (SmtpClient client = loggedIn()) {
            assertThat(client.command("MAIL FROM:<app@example.com>")).startsWith("250");
            assertThat(client.command("RCPT TO:<good1@example.com>")).startsWith("250");
            assertThat(client.command("RCPT TO:<>")).matches("(501 5\\.5\\.4|553 5\\.1\\.3) .*")
                    .contains("RCPT TO:<>");
            assertThat(client.command("RCPT TO:<@relay.example.com:user@example.com>"))
                    .matches("(501 5\\.5\\.4|553 5\\.1\\.3) .*").contains("source route");
            assertThat(client.command("RCPT TO:<a b@example.com>")).matches("(501 5\\.5\\.4|553 5\\.1\\.3) .*")
                    .contains("<a b@example.com>").contains("whitespace");
            assertThat(client.command("RCPT TO:<first@example.com>,<second@example.com>"))
                    .matches("501 5\\.5\\.4 .*").contains("one address");
            assertThat(client.command("RCPT TO:<good2@example.com>")).startsWith("250");
            assertThat(client.command("DATA")).startsWith("354");
            assertThat(client.command("Subject: only the valid ones\r\n\r\nbody\r\n.")).startsWith("250 2.0.0");
        }
        assertThat(awaitDelivery("only the valid ones").recipients())
                .containsExactly("good1@example.com", "good2@example.com");
        assertThat(relay.deliveriesTo("first@example.com") + relay.deliveriesTo("second@example.com")).isZero();
    }

    @Test
    void afterMaxFailuresTheSessionIsClosedAndEachFailureIsLoggedAndCounted() {
        String failed = "mailroute_smtpd_refusals_total\\{reason=\"auth-failed\"}";
        String cut = "mailroute_smtpd_refusals_total\\{reason=\"auth-failures-limit\"}";
        double failedBefore = Math.max(0, gateway.metric(failed));
        double cutBefore = Math.max(0, gateway.metric(cut));
        String wrong = "guess-" + System.nanoTime();
        try (LogCapture log = LogCapture.of(EVENTS); SmtpClient client = SmtpClient.connect("127.0.0.1", port)) {
            client.greeting();
            client.command("EHLO client.example.com");
            assertThat(client.command("AUTH PLAIN " + plain("app\"\u0001evil", wrong))).startsWith("535 ");
            assertThat(client.command("AUTH PLAIN " + plain("app", wrong))).startsWith("535 ");
            // the third failure of the session (mailroute.smtpd.auth.maxFailures=3) ends it
            assertThat(client.command("AUTH PLAIN " + plain("app", wrong))).startsWith("421 4.7.0")
                    .contains("mailroute.smtpd.auth.maxFailures").contains("closing connection");
            client.send("AUTH PLAIN " + plain("app", PASSWORD) + "\r\n");
            assertThat(client.reply()).as("the right password after the limit is not heard").isEmpty();
            assertThat(gateway.metric(failed) - failedBefore).isEqualTo(3);
            assertThat(gateway.metric(cut) - cutBefore).isEqualTo(1);
            assertThat(log.lines()).filteredOn(line -> line.contains("reason=auth-failed")).hasSize(3)
                    .allSatisfy(line -> assertThat(line).contains("client=127.0.0.1").doesNotContain(wrong))
                    .anySatisfy(line -> assertThat(line).contains("user 'app'\\x01evil'"));
            assertThat(log.text()).doesNotContain(wrong).doesNotContain("\u0001");
        }
        // a new session may log in again
        try (SmtpClient again = loggedIn()) {
            assertThat(again.command("NOOP")).startsWith("250");
        }
    }

    /** DSN parameters (RFC 3461) that are not what the RFC allows get 501 naming them; the session goes on. */
    @Test
    void malformedDsnParametersAreRefusedNamingThem() {
        try (SmtpClient client = loggedIn()) {
            assertThat(client.command("MAIL FROM:<app@example.com> RET=EVERYTHING")).startsWith("501 5.5.4 RET=");
            assertThat(client.command("MAIL FROM:<app@example.com> ENVID=a=b")).startsWith("501 5.5.4").contains("ENVID");
            assertThat(client.command("MAIL FROM:<app@example.com> ENVID=a+zz")).startsWith("501 5.5.4 ENVID=");
            assertThat(client.command("MAIL FROM:<app@example.com> ENVID=" + "x".repeat(101)))
                    .startsWith("501 5.5.4 ENVID=").contains("longer than 100");
            assertThat(client.command("MAIL FROM:<app@example.com> ENVID=a+0D+0ASubject:+20x"))
                    .startsWith("501 5.5.4 ENVID=").contains("not printable");
            assertThat(client.command("MAIL FROM:<app@example.com> RET")).startsWith("501 5.5.4 RET needs a value");
            assertThat(client.command("MAIL FROM:<app@example.com> RET=hdrs ENVID=id+2B1")).startsWith("250");
            assertThat(client.command("RCPT TO:<to@example.com> NOTIFY")).startsWith("501 5.5.4 NOTIFY needs a value");
            assertThat(client.command("RCPT TO:<to@example.com> NOTIFY=NEVER,SUCCESS")).startsWith("501 5.5.4")
                    .contains("NEVER cannot be combined");
            assertThat(client.command("RCPT TO:<to@example.com> NOTIFY=SOMETIMES")).startsWith("501 5.5.4 NOTIFY=");
            assertThat(client.command("RCPT TO:<to@example.com> ORCPT=to@example.com")).startsWith("501 5.5.4 ORCPT=");
            assertThat(client.command("RCPT TO:<to@example.com> ORCPT=rfc822;")).startsWith("501 5.5.4 ORCPT=");
            assertThat(client.command("RCPT TO:<to@example.com> NOTIFY=FAILURE ORCPT=rfc822;to+40example.com"))
                    .startsWith("250");
            assertThat(client.command("RCPT TO:<second@example.com>")).as("no NOTIFY after one with NOTIFY")
                    .startsWith("452 4.5.3");
            assertThat(client.command("RSET")).startsWith("250");
        }
    }

    @Test
    void sizeAndParametersThatWereNotAnnouncedAreRefusedAtMailAndRcpt() {
        try (LogCapture log = LogCapture.of("org.subethamail"); SmtpClient client = loggedIn()) {
            assertThat(client.command("MAIL FROM:<app@example.com> SIZE=99999999999")).startsWith("552 5.3.4")
                    .contains("mailroute.message.maxBytes");
            assertThat(client.command("MAIL FROM:<app@example.com> SIZE=123456789012345678901234567890"))
                    .startsWith("552 5.3.4");
            assertThat(client.command("MAIL FROM:<app@example.com> SIZE=12k")).startsWith("501 5.5.4")
                    .contains("SIZE");
            assertThat(client.command("MAIL FROM:<app@example.com> FOO=bar")).startsWith("555 5.5.4")
                    .contains("FOO");
            assertThat(client.command("MAIL FROM:<app@example.com> SMTPUTF8")).startsWith("555 5.5.4")
                    .contains("SMTPUTF8");
            assertThat(client.command("MAIL FROM:<app@example.com> SIZE=100 BODY=8BITMIME")).startsWith("250");
            assertThat(client.command("RCPT TO:<to@example.com> FOO=bar")).startsWith("555 5.5.4").contains("FOO");
            assertThat(client.command("RCPT TO:<to@example.com>")).startsWith("250");
            assertThat(client.command("DATA")).startsWith("354");
            assertThat(client.command("Subject: announced parameters\r\n\r\nbody\r\n.")).startsWith("250 2.0.0");
            assertThat(log.text()).doesNotContain("NumberFormatException");
        }
        assertThat(awaitDelivery("announced parameters").recipients()).containsExactly("to@example.com");
    }

    @Test
    void aHostileHeloNameReachesTheReceivedHeaderPrintableAndBounded() throws Exception {
        // a command line is at most 998 characters; the name alone is over 255
        String helo = "x".repeat(900) + "\u0001" + "(evil);" + "y".repeat(10);
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", port)) {
            client.greeting();
            assertThat(client.command("EHLO " + helo)).startsWith("250-");
            assertThat(client.command("AUTH PLAIN " + plain("app", PASSWORD))).startsWith("235");
            assertThat(client.command("MAIL FROM:<app@example.com>")).startsWith("250");
            assertThat(client.command("RCPT TO:<to@example.com>")).startsWith("250");
            assertThat(client.command("DATA")).startsWith("354");
            assertThat(client.command("Subject: hostile helo\r\n\r\nbody\r\n.")).startsWith("250 2.0.0");
        }
        MimeMessage delivered = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(
                awaitDelivery("hostile helo").data().getBytes(StandardCharsets.ISO_8859_1)));
        String[] received = delivered.getHeader("Received");
        assertThat(received).hasSize(1);
        String from = received[0].replaceAll("\\s+", " ");
        assertThat(from).startsWith("from x").doesNotContain("\u0001").doesNotContain("(evil)")
                .doesNotContain(";" + "y");
        String name = from.substring("from ".length(), from.indexOf(' ', "from ".length()));
        assertThat(name.length()).isLessThanOrEqualTo(255);
        assertThat(name).matches("[\\x21-\\x7e]+");
    }

    @Test
    void startTlsForgetsAnEarlierAuthAndMailIsRefusedUntilAuthAgain() throws Exception {
        try (SmtpClient client = loggedIn()) {
            assertThat(client.command("STARTTLS")).startsWith("220");
            client.startTls(certificate.trustingSockets(), "127.0.0.1", port);
            assertThat(client.command("EHLO client.example.com")).doesNotContain("STARTTLS").contains("AUTH");
            assertThat(client.command("MAIL FROM:<app@example.com>")).startsWith("530 5.7.0");
            assertThat(client.command("AUTH PLAIN " + plain("app", PASSWORD))).startsWith("235");
            assertThat(client.command("MAIL FROM:<app@example.com>")).startsWith("250");
        }
    }

    /** A session that said EHLO and logged in (in plain text: a loopback client may). */
    private static SmtpClient loggedIn() {
        SmtpClient client = SmtpClient.connect("127.0.0.1", port);
        assertThat(client.greeting()).startsWith("220 ");
        client.command("EHLO client.example.com");
        assertThat(client.command("AUTH PLAIN " + plain("app", PASSWORD))).startsWith("235");
        return client;
    }

    private static String plain(String user, String password) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static ScriptedSmtpServer.Transaction awaitDelivery(String subject) {
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.transactions().stream()
                .anyMatch(t -> t.data().contains("Subject: " + subject + "\r\n")));
        return relay.transactions().stream().filter(t -> t.data().contains("Subject: " + subject + "\r\n"))
                .findFirst().orElseThrow();
    }
}
