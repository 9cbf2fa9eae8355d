package dev.mailroute.diagnostics;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code doctor} with several relays and a routing file: the table, the relay an address takes and
 * why, every relay probed with its own settings, and the RCPT check at the relay the table chooses.
 * Two real SMTP servers that record what they were asked stand for the relay named default and the
 * relay named internal.
 */
class DoctorRoutingTest {

    private static final String TABLE = """
            rules:
              - recipientDomain: corp.example.com
                relay: internal
              - sender: "*@billing.example.com"
                relay: internal
              - recipientDomain: test.local
                relay: testdrop
              - default: default
            """;

    @TempDir
    Path data;

    private ScriptedSmtpServer outside;
    private ScriptedSmtpServer internal;
    private String output;

    @BeforeEach
    void relays() {
        outside = ScriptedSmtpServer.start();
        internal = ScriptedSmtpServer.start();
    }

    @AfterEach
    void stop() {
        outside.close();
        internal.close();
    }

    @Test
    void theTableIsPrintedAndToTakesTheRelayItsRuleGivesWhereTheRecipientIsAsked() throws Exception {
        Map<String, String> config = routed(internal.port());
        int exit = doctor(config, "--to", "alice@corp.example.com", "--from", "alerts@example.com", "-v");

        assertThat(exit).as(output).isZero();
        assertThat(output).contains("ok    routing file: " + data.resolve("routing.yaml") + ": 4 rules")
                .contains("ok    routing rule: line 2: recipientDomain corp.example.com -> internal")
                .contains("ok    routing rule: line 4: sender *@billing.example.com -> internal")
                .contains("ok    routing rule: line 6: recipientDomain test.local -> testdrop")
                .contains("ok    routing rule: line 8: default -> default")
                .contains("ok    routing to: --to alice@corp.example.com takes relay internal: line 2: recipientDomain"
                          + " corp.example.com -> internal (sender alerts@example.com)")
                .contains("ok    smtp connect: connected to 127.0.0.1:" + outside.port())
                .contains("ok    smtp-internal connect: connected to 127.0.0.1:" + internal.port())
                .contains("ok    smtp-internal rcpt-to: the relay would accept alice@corp.example.com from"
                          + " alerts@example.com")
                .contains("[relay internal: 127.0.0.1:" + internal.port() + "]")
                .doesNotContain("ok    smtp rcpt-to");
        assertThat(internal.envelopeCommands()).as("the chosen relay was asked")
                .contains("MAIL FROM:<alerts@example.com>", "RCPT TO:<alice@corp.example.com>");
        assertThat(outside.envelopeCommands()).as("the relay named default was not asked about the recipient")
                .noneMatch(command -> command.startsWith("RCPT"));
        assertThat(internal.transactions()).as("nothing was sent").isEmpty();

        assertThat(doctor(config, "--to", "bob@example.com", "--from", "alerts@example.com")).as(output).isZero();
        assertThat(output).contains("ok    routing to: --to bob@example.com takes relay default: line 8: default ->"
                                    + " default (sender alerts@example.com)")
                .contains("ok    smtp rcpt-to: the relay would accept bob@example.com from alerts@example.com");
        assertThat(outside.envelopeCommands()).contains("RCPT TO:<bob@example.com>");
        assertThat(internal.envelopeCommands()).doesNotContain("RCPT TO:<bob@example.com>");
    }

    /** A sender rule: --from decides, and the chosen relay is asked with that sender. */
    @Test
    void theSenderOfFromIsRoutedAndAskedWith() throws Exception {
        assertThat(doctor(routed(internal.port()), "--to", "bob@example.com", "--from", "invoices@billing.example.com"))
                .as(output).isZero();
        assertThat(output).contains("ok    routing to: --to bob@example.com takes relay internal: line 4: sender"
                                    + " *@billing.example.com -> internal (sender invoices@billing.example.com)");
        assertThat(internal.envelopeCommands()).contains("MAIL FROM:<invoices@billing.example.com>",
                "RCPT TO:<bob@example.com>");
        assertThat(outside.envelopeCommands()).noneMatch(command -> command.startsWith("RCPT"));
    }

    @Test
    void aNamedRelayThatIsDownFailsNamingThatRelayAndItsKeys() throws Exception {
        int nothing = TestGateway.freePort();
        int exit = doctor(routed(nothing));

        assertThat(exit).isEqualTo(1);
        assertThat(output).contains("FAIL  smtp-internal connect: connection refused to 127.0.0.1:" + nothing
                                    + " Fix: nothing listens there: check mailroute.relays.internal.host and"
                                    + " mailroute.relays.internal.port, and that the relay runs")
                .contains("ok    smtp connect: connected to 127.0.0.1:" + outside.port())
                .doesNotContain("FAIL  smtp connect");
    }

    @Test
    void aNamedRelayThatRefusesItsPasswordFailsWithItsOwnKeys() throws Exception {
        internal.advertiseAuth(true).reply(ScriptedSmtpServer.Stage.AUTH, "535 5.7.8 authentication failed");
        Map<String, String> config = routed(internal.port());
        config.put("mailroute.relays.internal.username", "relay-user");
        config.put("mailroute.relays.internal.password", "internal-s3cret-password");

        assertThat(doctor(config, "-v")).isEqualTo(1);
        assertThat(output).contains("FAIL  smtp-internal auth: the relay refuses the credentials of relay-user: ")
                .contains("535 5.7.8 authentication failed")
                .contains("Fix: check mailroute.relays.internal.username, MAILROUTE_RELAYS_INTERNAL_PASSWORD and"
                          + " mailroute.relays.internal.security (and that SMTP AUTH is enabled for the account)")
                .contains("mailroute.relays.internal.password = ****")
                .doesNotContain("internal-s3cret-password")
                .doesNotContain("FAIL  smtp auth");
        assertThat(internal.authentications()).as("the named relay was asked to authenticate").isPositive();
        assertThat(outside.authentications()).as("the relay named default has no credentials").isZero();
    }

    /** A pickup relay is not asked over SMTP; its folder is checked under its own key. */
    @Test
    void anAddressForAPickupRelayIsNotAskedAndItsFolderIsChecked() throws Exception {
        Path notAFolder = Files.writeString(data.resolve("not-a-folder"), "x");
        Map<String, String> config = routed(internal.port());
        assertThat(doctor(config, "--to", "tester@test.local")).as(output).isZero();
        assertThat(output).contains("ok    routing to: --to tester@test.local takes relay testdrop: line 6:"
                                    + " recipientDomain test.local -> testdrop")
                .contains("ok    smtp-testdrop skipped: relay testdrop's transport is pickup into "
                          + data.resolve("testdrop") + ": --to is not checked")
                .contains("ok    folders pickup: " + data.resolve("testdrop") + " writable by");
        assertThat(outside.envelopeCommands()).noneMatch(command -> command.startsWith("RCPT"));
        assertThat(internal.envelopeCommands()).noneMatch(command -> command.startsWith("RCPT"));

        config.put("mailroute.relays.testdrop.pickup.dir", notAFolder.resolve("drop").toString());
        assertThat(doctor(config)).isEqualTo(1);
        assertThat(output).contains("FAIL  folders pickup: pickup folder " + notAFolder.resolve("drop"))
                .contains("or set mailroute.relays.testdrop.pickup.dir to another folder");
    }

    /** Without a routing file: one line, and --to is asked of the relay named default as always. */
    @Test
    void withoutARoutingFileEveryMessageTakesTheRelayNamedDefault() {
        Map<String, String> config = routed(internal.port());
        config.remove("mailroute.routing.file");
        assertThat(doctor(config, "--to", "alice@corp.example.com")).as(output).isZero();
        assertThat(output).contains("ok    routing table: no routing file (mailroute.routing.file is empty): every"
                                    + " message takes the relay named default")
                .doesNotContain("routing rule").doesNotContain("routing to")
                .contains("ok    smtp rcpt-to: the relay would accept alice@corp.example.com")
                .contains("ok    smtp-internal connect: connected to 127.0.0.1:" + internal.port());
        assertThat(outside.envelopeCommands()).contains("RCPT TO:<alice@corp.example.com>");
        assertThat(internal.envelopeCommands()).noneMatch(command -> command.startsWith("RCPT"));
    }

    /**
     * Delivery status reports come from the null sender, which no sender rule takes: the relay that
     * only gets mail by a sender rule is not asked about it; a relay a recipient rule reaches is.
     */
    @Test
    void theReportsSenderIsAskedOnlyOfRelaysAReportCouldTake() throws Exception {
        Files.writeString(data.resolve("routing.yaml"), """
                rules:
                  - sender: "*@billing.example.com"
                    relay: internal
                  - default: default
                """);
        internal.replyToNullSender("550 5.7.1 no null sender here");
        assertThat(doctor(routed(internal.port()))).as(output).isZero();
        assertThat(output).contains("ok    smtp reports-sender: the relay takes delivery status reports from <>")
                .doesNotContain("smtp-internal reports-sender");
        assertThat(internal.envelopeCommands()).doesNotContain("MAIL FROM:<>");

        Files.writeString(data.resolve("routing.yaml"), TABLE);
        assertThat(doctor(routed(internal.port()))).isEqualTo(1);
        assertThat(output).contains("FAIL  smtp-internal reports-sender: the relay refuses delivery status reports"
                                    + " from <>: 550 5.7.1 no null sender here");
    }

    /** The address is shown as one plain line; one with a line break is refused before any relay is asked. */
    @Test
    void aHostileAddressIsShownEscapedAndOneWithALineBreakIsRefused() throws Exception {
        assertThat(doctor(routed(internal.port()), "--to", "alice\u202e@corp.example.com")).as(output).isZero();
        assertThat(output).contains("ok    routing to: --to alice\\u202e@corp.example.com takes relay internal")
                .contains("ok    smtp-internal rcpt-to: the relay would accept alice\\u202e@corp.example.com")
                .doesNotContain("\u202e");

        int before = internal.connections() + outside.connections();
        assertThat(doctor(routed(internal.port()), "--to", "alice@corp.example.com>\r\nRCPT TO:<x@evil.example"))
                .isEqualTo(2);
        assertThat(output.strip()).isEqualTo("mailroute doctor: --to=alice@corp.example.com> RCPT TO:<x@evil.example"
                                             + " has a control character (a line break, a tab, an escape); an address"
                                             + " has none. Fix: see mailroute doctor --help");
        assertThat(internal.connections() + outside.connections()).as("no relay was asked").isEqualTo(before);
    }

    /** The relay named default on {@link #outside}, the relay named internal on this port, the table in a file. */
    private Map<String, String> routed(int internalPort) {
        Path routing = data.resolve("routing.yaml");
        try {
            if (!Files.exists(routing)) {
                Files.writeString(routing, TABLE);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Map<String, String> config = new HashMap<>();
        config.put("mailroute.data.dir", data.toString());
        config.put("mailroute.broker.port", Integer.toString(TestGateway.freePort()));
        config.put("mailroute.smtpd.port", Integer.toString(TestGateway.freePort()));
        config.put("mailroute.transport", "smtp");
        config.put("mailroute.smtp.host", "127.0.0.1");
        config.put("mailroute.smtp.port", Integer.toString(outside.port()));
        config.put("mailroute.smtp.timeout", "3s");
        config.put("mailroute.relays", "internal, testdrop");
        config.put("mailroute.relays.internal.host", "127.0.0.1");
        config.put("mailroute.relays.internal.port", Integer.toString(internalPort));
        config.put("mailroute.relays.internal.timeout", "3s");
        config.put("mailroute.relays.testdrop.transport", "pickup");
        config.put("mailroute.relays.testdrop.pickup.dir", data.resolve("testdrop").toString());
        config.put("mailroute.routing.file", routing.toString());
        return config;
    }

    private int doctor(Map<String, String> config, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = Doctor.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8), config,
                service -> new WindowsService.Answer(1060, WindowsServiceTest.ABSENT));
        output = bytes.toString(StandardCharsets.UTF_8);
        return exit;
    }
}
