package dev.mailroute.delivery;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;

import dev.mailroute.delivery.smtp.RelayCircuit;
import dev.mailroute.diagnostics.Doctor;
import dev.mailroute.support.GatewayConfig;
import dev.mailroute.support.Http;
import dev.mailroute.support.LogCapture;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.OAuthServer;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code mailroute.smtp.auth=oauth2} through the whole gateway: tokens from a real OAuth 2.0
 * server (client credentials, generic provider), a relay that offers only AUTH XOAUTH2 and takes a
 * token only if that server issued it, it has not expired and it was not revoked.
 */
class OAuth2DeliveryTest {

    static final String MAILBOX = "alerts@example.com";
    static final String CLIENT_SECRET = "client-secret-0123456789";

    private static Path folder;
    private static OAuthServer oauth;

    @TempDir
    Path data;

    private ScriptedSmtpServer relay;
    private TestGateway gateway;

    @BeforeAll
    static void startOAuthServer() throws Exception {
        folder = Scratch.folder("mailroute-oauth2");
        oauth = OAuthServer.start(folder);
    }

    @AfterAll
    static void stopOAuthServer() {
        oauth.close();
    }

    @BeforeEach
    void startRelay() {
        relay = relay(oauth);
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        relay.close();
    }

    /** A relay like Exchange Online's: STARTTLS, then AUTH XOAUTH2 only, for the mailbox, with a valid token. */
    static ScriptedSmtpServer relay(OAuthServer oauth) {
        return ScriptedSmtpServer.start().offerStartTls()
                .acceptXoauth2((user, token) -> user.equals(MAILBOX) && oauth.valid(token) != null);
    }

    static GatewayConfig oauth2(GatewayConfig config, OAuthServer oauth) {
        return config.with("mailroute.smtp.security", "starttls-required").with("mailroute.smtp.tls.trust", "*")
                .with("mailroute.smtp.auth", "oauth2").with("mailroute.smtp.username", MAILBOX)
                .with("mailroute.smtp.oauth2.tls.ca", oauth.certificate().toString());
    }

    private GatewayConfig generic(String issuer) {
        return oauth2(TestGateway.on(data).smtp(relay.port()), oauth)
                .with("mailroute.smtp.oauth2.provider", "generic")
                .with("mailroute.smtp.oauth2.tokenUrl", oauth.tokenUrl(issuer))
                .with("mailroute.smtp.oauth2.clientId", "mailroute")
                .with("mailroute.smtp.oauth2.clientSecret", CLIENT_SECRET)
                .with("mailroute.smtp.oauth2.scope", "smtp.send");
    }

    @Test
    void everySessionSharesOneTokenAndNoSecretIsLoggedOrShown() throws Exception {
        long before = oauth.tokenRequests();
        String output;
        try (LogCapture log = LogCapture.of(Logger.ROOT_LOGGER_NAME)) {
            gateway = generic("default").start();
            for (int i = 0; i < 20; i++) {
                gateway.submit(MailRequests.minimal().put("subject", "token " + i));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> relay.transactions().size() == 20);
            assertThat(relay.transactions()).allMatch(t -> t.tls() && t.authenticated());
            assertThat(oauth.tokenRequests() - before).as("one token for all the sessions").isEqualTo(1);
            assertThat(new HashSet<>(relay.bearerTokens())).hasSize(1);
            assertThat(relay.authentications()).as("several sessions").isGreaterThan(1);

            ByteArrayOutputStream doctor = new ByteArrayOutputStream();
            int exit = Doctor.run(new String[] {"-v", "--to", "ops@example.com"},
                    new PrintStream(doctor, true, StandardCharsets.UTF_8), gateway.again().properties());
            output = log.text() + doctor.toString(StandardCharsets.UTF_8);
            assertThat(exit).as(output).isZero();
            assertThat(doctor.toString(StandardCharsets.UTF_8))
                    .contains("ok    smtp oauth2-token: acquired from " + oauth.tokenUrl("default") + " for " + MAILBOX
                              + ", valid until ")
                    .contains("scopes smtp.send")
                    .contains("ok    smtp auth: authenticated as " + MAILBOX + " (XOAUTH2)")
                    .contains("mailroute.smtp.oauth2.clientSecret = ****");
        }
        assertThat(output).doesNotContain(CLIENT_SECRET);
        for (String token : relay.bearerTokens()) {
            assertThat(output).doesNotContain(token);
            assertThat(output).doesNotContain(token.substring(token.lastIndexOf('.') + 1)); // not even the signature
        }
    }

    /** A token URL may carry credentials (user:password@): the start-up summary and the token log mask them. */
    @Test
    void credentialsInTheTokenUrlAreNeverLogged() {
        String password = "url-password-0123456789";
        String output;
        try (LogCapture log = LogCapture.of(Logger.ROOT_LOGGER_NAME)) {
            gateway = generic("default").with("mailroute.smtp.oauth2.tokenUrl",
                    oauth.tokenUrl("default").replace("https://", "https://mailroute:" + password + "@")).start();
            gateway.submit(MailRequests.minimal());
            await().atMost(Duration.ofSeconds(30)).until(() -> relay.transactions().size() == 1);
            output = log.text();
        }
        assertThat(output).contains("tokenUrl=https://****@localhost:")
                .contains("OAuth 2.0 token from https://****@localhost:")
                .doesNotContain(password);
    }

    /** Tokens that live 4 s, one session per message: each is renewed before it runs out; no AUTH fails. */
    @Test
    void shortLivedTokensAreRenewedAheadOfExpiryAndNoDeliveryFailsForIt() {
        long before = oauth.tokenRequests();
        gateway = generic("short").with("mailroute.smtp.maxMessagesPerConnection", "1").start();
        long end = System.currentTimeMillis() + 3 * OAuthServer.SHORT_SECONDS * 1000;
        int sent = 0;
        while (System.currentTimeMillis() < end) {
            gateway.submit(MailRequests.minimal().put("subject", "short " + sent++));
            int delivered = sent;
            await().atMost(Duration.ofSeconds(10)).until(() -> relay.transactions().size() == delivered);
            await().pollDelay(Duration.ofMillis(300)).until(() -> true);
        }
        final int expected = sent;
        await().atMost(Duration.ofSeconds(20)).until(() -> relay.transactions().size() == expected);
        assertThat(relay.authRefusals()).as("no expired token was ever offered").isZero();
        long fetched = oauth.tokenRequests() - before;
        assertThat(fetched).as("renewed, but not per message").isBetween(3L, (long) expected - 1);
        assertThat(new HashSet<>(relay.bearerTokens())).hasSize((int) fetched);
        assertThat(gateway.files("failed")).isEmpty();
    }

    @Test
    void aRevokedTokenIsRenewedOnceAndTheMessageDelivered() throws Exception {
        gateway = generic("default").start();
        gateway.submit(MailRequests.minimal().put("subject", "before"));
        await().until(() -> relay.transactions().size() == 1);
        long before = oauth.tokenRequests();
        relay.bearerTokens().forEach(oauth::revoke);
        relay.dropConnections();

        gateway.submit(MailRequests.minimal().put("subject", "after"));
        await().atMost(Duration.ofSeconds(20)).until(() -> relay.transactions().size() == 2);
        assertThat(relay.authRefusals()).isEqualTo(1);
        assertThat(oauth.tokenRequests() - before).isEqualTo(1);
        assertThat(gateway.metric("mailroute_messages_retried_total\\{transport=\"smtp\"}")).isLessThanOrEqualTo(0);
    }

    @Test
    void whileTheTokenEndpointIsDownMessagesStayQueuedAndGoOutOnceItIsBack() {
        oauth.stop();
        try {
            gateway = generic("default").with("mailroute.retry.initialDelay", "1s")
                    .with("mailroute.circuit.probeInterval", "1s").with("mailroute.circuit.failures", "2")
                    .with("mailroute.smtp.oauth2.timeout", "2s").start();
            for (int i = 0; i < 3; i++) {
                gateway.submit(MailRequests.minimal().put("subject", "waiting " + i));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> gateway.metric(
                    "mailroute_messages_retried_total\\{transport=\"smtp\"}") >= 1);
            assertThat(relay.connections()).as("no session without a token").isZero();
            assertThat(gateway.files("failed")).isEmpty();
        } finally {
            oauth.startAgain();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.transactions().size() == 3);
        gateway.awaitQueueEmpty();
        assertThat(gateway.files("failed")).isEmpty();
    }

    @Test
    void aTokenEndpointThatRefusesTheClientHoldsEveryMessageUntilTheConfigurationIsFixed() throws Exception {
        GatewayConfig refused = generic("refusing");
        try (LogCapture log = LogCapture.of(RelayCircuit.class)) {
            gateway = refused.start();
            gateway.submit(MailRequests.minimal().put("subject", "held 1"));
            gateway.submit(MailRequests.minimal().put("subject", "held 2"));
            await().atMost(Duration.ofSeconds(20)).until(() -> log.lines().stream().anyMatch(l -> l.startsWith("ERROR")));
            assertThat(log.text()).contains("refused the client: 401 invalid_client: AADSTS7000215")
                    .contains("mailroute.smtp.oauth2.clientId / MAILROUTE_SMTP_OAUTH2_CLIENTSECRET")
                    .doesNotContain(CLIENT_SECRET);
            assertThat(Http.get(gateway.http("/observe/health")).status()).isEqualTo(503);
            assertThat(relay.connections()).isZero();
            assertThat(gateway.files("failed")).isEmpty();
        }
        ByteArrayOutputStream doctor = new ByteArrayOutputStream();
        assertThat(Doctor.run(new String[0], new PrintStream(doctor, true, StandardCharsets.UTF_8),
                refused.properties())).isEqualTo(1);
        assertThat(doctor.toString(StandardCharsets.UTF_8))
                .contains("FAIL  smtp oauth2-token: " + oauth.tokenUrl("refusing") + " refused the client: 401"
                          + " invalid_client: AADSTS7000215: Invalid client secret provided.")
                .doesNotContain(CLIENT_SECRET);
        gateway.close();
        // fixed, started again on the same data: both go out
        gateway = refused.copy().with("mailroute.smtp.oauth2.tokenUrl", oauth.tokenUrl("default")).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.transactions().size() == 2);
        assertThat(relay.transactions()).extracting(t -> t.data().contains("Subject: held ")).containsOnly(true);
    }

    /**
     * Microsoft 365's one mailbox per login: a named relay with auth=oauth2 sends as its own mailbox,
     * chosen by the sender (docs/routing.md), with tokens from a provider of its own
     * (mailroute.relays.billing.oauth2.*, another issuer of the same server here).
     */
    @Test
    void aNamedRelaySendsAsItsOwnMailboxWithTheGatewaysTokens() throws Exception {
        String billingMailbox = "billing@example.com";
        Path routing = Files.writeString(data.resolve("routing.yaml"),
                "rules:\n  - sender: billing@example.com\n    relay: billing\n  - default: default\n");
        try (ScriptedSmtpServer billing = ScriptedSmtpServer.start().offerStartTls()
                .acceptXoauth2((user, token) -> user.equals(billingMailbox) && oauth.valid(token) != null)) {
            gateway = generic("default")
                    .with("mailroute.relays", "billing")
                    .with("mailroute.relays.billing.host", "127.0.0.1")
                    .with("mailroute.relays.billing.port", Integer.toString(billing.port()))
                    .with("mailroute.relays.billing.security", "starttls-required")
                    .with("mailroute.relays.billing.tls.trust", "*")
                    .with("mailroute.relays.billing.auth", "oauth2")
                    .with("mailroute.relays.billing.username", billingMailbox)
                    .with("mailroute.relays.billing.oauth2.provider", "generic")
                    .with("mailroute.relays.billing.oauth2.tokenUrl", oauth.tokenUrl("billing"))
                    .with("mailroute.relays.billing.oauth2.clientId", "mailroute")
                    .with("mailroute.relays.billing.oauth2.clientSecret", CLIENT_SECRET)
                    .with("mailroute.relays.billing.oauth2.scope", "smtp.send")
                    .with("mailroute.relays.billing.oauth2.tls.ca", oauth.certificate().toString())
                    .with("mailroute.routing.file", routing.toString())
                    .start();
            gateway.submit(MailRequests.from(billingMailbox, "customer@example.net"));
            gateway.submit(MailRequests.from(MAILBOX, "ops@example.com"));
            await().atMost(Duration.ofSeconds(30)).until(() -> billing.transactions().size() == 1
                                                               && relay.transactions().size() == 1);
            assertThat(billing.transactions().get(0).from()).isEqualTo(billingMailbox);
            assertThat(billing.transactions().get(0).authenticated()).isTrue();
            assertThat(billing.transactions().get(0).tls()).isTrue();
            assertThat(relay.transactions().get(0).from()).isEqualTo(MAILBOX);
            // the billing relay's tokens come from its own issuer, the default relay's from the gateway's
            assertThat(billing.bearerTokens()).isNotEmpty().allMatch(token -> oauth.valid(token) != null
                    && oauth.valid(token).getIssuer().endsWith("/billing"));
            assertThat(relay.bearerTokens()).isNotEmpty().allMatch(token -> oauth.valid(token) != null
                    && oauth.valid(token).getIssuer().endsWith("/default"));
        }
    }
}
