package dev.mailroute.ingress;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import dev.mailroute.support.LogCapture;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.SmtpClient;
import dev.mailroute.support.TestGateway;
import dev.mailroute.support.Tools;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The SMTP listener as the applications that used a local IIS SMTP service talk to it: Jakarta
 * Mail, Python's smtplib, swaks and Postfix's smtp-source, unchanged, plus the sessions no client
 * library would produce. Delivery goes on by SMTP to a scripted relay that records each transaction.
 */
class SmtpListenerTest {

    private static ScriptedSmtpServer relay;
    private static TestGateway gateway;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        relay = ScriptedSmtpServer.start();
        gateway = TestGateway.on(Scratch.folder("mailroute-smtpd")).smtp(relay.port())
                .with("mailroute.senders.allowed", "*@example.com")
                .with("mailroute.message.maxBytes", "1MiB")
                .with("mailroute.smtpd.maxRecipients", "3")
                .start();
        port = gateway.smtpdPort();
    }

    @AfterAll
    static void stop() {
        gateway.close();
        relay.close();
    }

    @BeforeEach
    void settle() {
        gateway.awaitQueueEmpty();
    }

    @Test
    void jakartaMailSendsThroughTheListenerAndBccIsOnlyInTheEnvelope() throws Exception {
        double acceptedBefore = Math.max(0, gateway.metric("mailroute_messages_accepted_total\\{ingress=\"smtp\"}"));
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", Integer.toString(port));
        Session session = Session.getInstance(props);
        MimeMessage message = new MimeMessage(session);
        message.setFrom("App <app@example.com>");
        message.setRecipients(RecipientType.TO, "to@example.com");
        message.setRecipients(RecipientType.CC, "cc@example.com");
        message.setRecipients(RecipientType.BCC, "hidden@example.com");
        message.setSubject("from jakarta mail");
        message.setText("body from jakarta mail\n.a line that begins with a dot\n");
        try (SMTPTransport transport = (SMTPTransport) session.getTransport("smtp")) {
            transport.connect();
            transport.sendMessage(message, message.getAllRecipients());
            assertThat(transport.getLastServerResponse()).matches("250 2\\.0\\.0 Ok: queued as [0-9a-f-]{36}\\s*");
        }
        ScriptedSmtpServer.Transaction delivered = awaitDelivery("from jakarta mail");
        assertThat(delivered.recipients()).containsExactlyInAnyOrder("to@example.com", "cc@example.com",
                "hidden@example.com");
        assertThat(delivered.from()).isEqualTo("app@example.com");
        assertThat(delivered.data()).doesNotContain("hidden@example.com").doesNotContainIgnoringCase("Bcc:")
                .contains("\r\n.a line that begins with a dot\r\n");
        assertThat(delivered.data()).as("one Received: trace header, first").startsWith("Received: from ");
        assertThat(delivered.data().split("\r\nReceived: ", -1)).hasSize(1);
        assertThat(gateway.metric("mailroute_messages_accepted_total\\{ingress=\"smtp\"}") - acceptedBefore)
                .as("accepted once, counted once").isEqualTo(1);
    }

    @Test
    void pythonsSmtplibSendsUnchanged() {
        String python = Tools.require("python3", "python3");
        String script = String.join("\n",
                "import smtplib",
                "s = smtplib.SMTP('127.0.0.1', " + port + ")",
                "code, text = s.ehlo()",
                "print('EHLO', code, text.decode())",
                "msg = 'From: py@example.com\\r\\nTo: to@example.com\\r\\nSubject: from smtplib\\r\\n\\r\\nhello\\r\\n'",
                "s.sendmail('py@example.com', ['to@example.com'], msg)",
                "print('SENT')",
                "s.quit()");
        Tools.Result result = Tools.run(List.of(python, "-c", script), 60);
        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("SENT").contains("PIPELINING").contains("SIZE 1048576")
                .doesNotContain("SMTPUTF8").doesNotContain("CHUNKING");
        // smtplib's message has neither: they are added as for a file in the inbox
        assertThat(awaitDelivery("from smtplib").data()).containsPattern("\r\nMessage-ID: <[^>]+@[^>]+>\r\n")
                .containsPattern("\r\nDate: [^\r]+\r\n");
    }

    @Test
    void swaksPipelinesItsCommands() {
        String swaks = Tools.require("swaks", "swaks");
        Tools.Result result = Tools.run(List.of(swaks, "--server", "127.0.0.1:" + port, "--pipeline",
                "--from", "swaks@example.com", "--to", "to@example.com", "--header", "Subject: from swaks"), 60);
        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("250 2.0.0 Ok: queued as");
        awaitDelivery("from swaks");
    }

    @Test
    void smtpSourceDeliversEveryMessage() {
        String source = Tools.require("smtp-source", "postfix");
        long before = relay.deliveriesTo("source@example.com");
        Tools.Result result = Tools.run(List.of(source, "-s", "2", "-m", "40", "-l", "2000",
                "-f", "bench@example.com", "-t", "source@example.com", "127.0.0.1:" + port), 120);
        assertThat(result.exit()).as(result.output()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.deliveriesTo("source@example.com") - before == 40);
        gateway.awaitQueueEmpty();
        assertThat(relay.deliveriesTo("source@example.com") - before).isEqualTo(40);
    }

    @Test
    void pipelinedCommandsAreAnsweredInOrder() {
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", port)) {
            assertThat(client.greeting()).startsWith("220 ");
            assertThat(client.command("EHLO client.example.com")).contains("250-PIPELINING");
            client.send("MAIL FROM:<pipe@example.com>\r\nRCPT TO:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
            assertThat(client.reply()).startsWith("250");
            assertThat(client.reply()).startsWith("250");
            assertThat(client.reply()).startsWith("250");
            assertThat(client.reply()).startsWith("354");
            // the next transaction pipelined behind the end of DATA, in the same packet
            client.send("Subject: pipelined\r\n\r\nbody\r\n.\r\nMAIL FROM:<pipe@example.com>\r\n"
                        + "RCPT TO:<c@example.com>\r\nDATA\r\n");
            assertThat(client.reply()).startsWith("250 2.0.0 Ok: queued as");
            assertThat(client.reply()).startsWith("250");
            assertThat(client.reply()).startsWith("250");
            assertThat(client.reply()).startsWith("354");
            assertThat(client.command("Subject: pipelined again\r\n\r\nbody\r\n.")).startsWith("250 2.0.0");
            assertThat(client.command("BDAT 10 LAST")).as("CHUNKING is not announced, nor taken").startsWith("502");
        }
        assertThat(awaitDelivery("pipelined").recipients()).containsExactly("a@example.com", "b@example.com");
        assertThat(awaitDelivery("pipelined again").recipients()).containsExactly("c@example.com");
    }

    /** CVE-2023-51764: a bare LF (or CR) before '.' must never end DATA, and never reach the relay. */
    @Test
    void bareLineFeedsNeitherEndTheDataNorReachTheRelay() {
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", port)) {
            client.greeting();
            client.command("EHLO client.example.com");
            assertThat(client.command("MAIL FROM:<smuggler@example.com>")).startsWith("250");
            assertThat(client.command("RCPT TO:<victim@example.com>")).startsWith("250");
            assertThat(client.command("DATA")).startsWith("354");
            client.send("Subject: smuggling\r\n\r\nfirst\n.\nMAIL FROM:<x@example.com>\nRCPT TO:<other@example.com>\n"
                        + "DATA\n\r\n.\r.\rMAIL FROM:<y@example.com>\r\nlast line\r\n.\r\n");
            assertThat(client.reply()).startsWith("250 2.0.0 Ok: queued as");
        }
        ScriptedSmtpServer.Transaction delivered = awaitDelivery("smuggling");
        gateway.awaitQueueEmpty();
        assertThat(relay.deliveriesTo("other@example.com")).as("nothing smuggled").isZero();
        assertThat(delivered.recipients()).containsExactly("victim@example.com");
        String data = delivered.data();
        assertThat(data).contains("MAIL FROM:<x@example.com>").contains("last line");
        for (int i = 0; i < data.length(); i++) {
            if (data.charAt(i) == '\n') {
                assertThat(data.charAt(i - 1)).as("LF at %d preceded by CR", i).isEqualTo('\r');
            }
            if (data.charAt(i) == '\r') {
                assertThat(data.charAt(i + 1)).as("CR at %d followed by LF", i).isEqualTo('\n');
            }
        }
    }

    @Test
    void aSenderThePolicyRefusesIsRefusedAtMailFromAndInTheHeaders() {
        try (LogCapture log = LogCapture.of(EVENTS_LOGGER); SmtpClient client = SmtpClient.connect("127.0.0.1", port)) {
            client.greeting();
            client.command("EHLO client.example.com");
            assertThat(client.command("MAIL FROM:<ceo@evil.example>")).startsWith("553 5.7.1 ")
                    .contains("'ceo@evil.example' may not send through mailroute");
            assertThat(client.command("MAIL FROM:<app@example.com>")).startsWith("250");
            assertThat(client.command("RCPT TO:<to@example.com>")).startsWith("250");
            assertThat(client.command("DATA")).startsWith("354");
            assertThat(client.command("From: ceo@evil.example\r\nSubject: spoofed\r\n\r\nx\r\n."))
                    .startsWith("553 5.7.1 From: 'ceo@evil.example'");
            assertThat(client.command("MAIL FROM:")).as("nothing is not the null sender").startsWith("501 5.5.4");
            // the null sender names no one: the From header does, and meets the policy
            assertThat(client.command("MAIL FROM:<>")).as("the null sender (RFC 5321 4.5.5)").startsWith("250");
            assertThat(client.command("RCPT TO:<to@example.com>")).startsWith("250");
            assertThat(client.command("DATA")).startsWith("354");
            assertThat(client.command("Subject: no author\r\n\r\nx\r\n.")).startsWith("550 5.6.0").contains("From");
            assertThat(client.command("MAIL FROM:<>")).startsWith("250");
            assertThat(client.command("RCPT TO:<to@example.com>")).startsWith("250");
            assertThat(client.command("DATA")).startsWith("354");
            assertThat(client.command("From: ceo@evil.example\r\nSubject: spoofed\r\n\r\nx\r\n."))
                    .startsWith("553 5.7.1 From: 'ceo@evil.example'");
            assertThat(log.lines()).anySatisfy(line -> assertThat(line).contains("event=smtp-refused client=127.0.0.1"
                    + " reason=sender-not-allowed reply=\"553 5.7.1 MAIL FROM: 'ceo@evil.example' may not send"));
        }
        assertThat(gateway.metric("mailroute_smtpd_refusals_total\\{reason=\"sender-not-allowed\"}")).isEqualTo(3);
    }

    @Test
    void limitsAreAnsweredAndTheSessionGoesOn() {
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", port)) {
            client.greeting();
            client.command("EHLO client.example.com");
            assertThat(client.command("MAIL FROM:<big@example.com> SIZE=2000000")).startsWith("552 5.3.4");

            assertThat(client.command("MAIL FROM:<big@example.com>")).startsWith("250");
            for (String rcpt : List.of("r1", "r2", "r3")) {
                assertThat(client.command("RCPT TO:<" + rcpt + "@example.com>")).startsWith("250");
            }
            assertThat(client.command("RCPT TO:<r4@example.com>")).startsWith("452 4.5.3");
            assertThat(client.command("DATA")).startsWith("354");
            String line = "x".repeat(998) + "\r\n";
            client.send("Subject: too big\r\n\r\n" + line.repeat(1100) + ".\r\n");
            assertThat(client.reply()).startsWith("552 5.3.4").contains("mailroute.message.maxBytes");

            // the session is still in step: the next transaction goes through
            assertThat(client.command("MAIL FROM:<small@example.com>")).startsWith("250");
            assertThat(client.command("RCPT TO:<to@example.com>")).startsWith("250");
            assertThat(client.command("DATA")).startsWith("354");
            assertThat(client.command("Subject: small after big\r\n\r\nok\r\n.")).startsWith("250 2.0.0");
        }
        awaitDelivery("small after big");
        assertThat(relay.deliveriesTo("r1@example.com")).isZero();
    }

    @Test
    void anInvalidMessageIsRefusedWithWhatIsWrong() {
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", port)) {
            client.greeting();
            client.command("EHLO client.example.com");
            client.command("MAIL FROM:<app@example.com>");
            client.command("RCPT TO:<to@example.com>");
            client.command("DATA");
            assertThat(client.command("X-Receiver : victim@elsewhere.example\r\nSubject: x\r\n\r\nbody\r\n."))
                    .startsWith("550 5.6.0 X-Receiver (line ")
                    .contains("a header named like an envelope line");
        }
    }

    @Test
    void whenTheQueueCannotTakeTheMessageTheAnswerIs451() throws Exception {
        Path data = Scratch.folder("mailroute-smtpd-451");
        try (TestGateway down = TestGateway.on(data).start()) {
            int downPort = down.smtpdPort();
            down.broker().stop();
            try (SmtpClient client = SmtpClient.connect("127.0.0.1", downPort)) {
                client.greeting();
                client.command("EHLO client.example.com");
                client.command("MAIL FROM:<app@example.com>");
                client.command("RCPT TO:<to@example.com>");
                client.command("DATA");
                assertThat(client.command("Subject: x\r\n\r\nbody\r\n.")).startsWith("451 4.3.0");
            }
        }
    }

    @Test
    void aClientOutsideAllowedClientsIsRefusedAtConnect() throws Exception {
        Path data = Scratch.folder("mailroute-smtpd-clients");
        // the listener on 127.0.0.2, for 127.0.0.3 only: this test connects from 127.0.0.1
        try (TestGateway narrow = TestGateway.on(data).with("mailroute.smtpd.host", "127.0.0.2")
                .with("mailroute.smtpd.allowedClients", "127.0.0.3/32").start();
             SmtpClient client = SmtpClient.connect("127.0.0.2",
                     narrow.smtpdPort())) {
            assertThat(client.greeting()).startsWith("554 5.7.1 127.0.0.1 may not use this server");
            assertThat(narrow.metric("mailroute_smtpd_refusals_total\\{reason=\"client-not-allowed\"}")).isEqualTo(1);
        }
    }

    private static final String EVENTS_LOGGER = "mailroute.events";

    private static ScriptedSmtpServer.Transaction awaitDelivery(String subject) {
        await().atMost(Duration.ofSeconds(20)).until(() -> relay.transactions().stream()
                .anyMatch(t -> t.data().contains("Subject: " + subject + "\r\n")));
        return relay.transactions().stream().filter(t -> t.data().contains("Subject: " + subject + "\r\n"))
                .findFirst().orElseThrow();
    }
}
