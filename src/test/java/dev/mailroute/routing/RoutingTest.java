package dev.mailroute.routing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailroute.support.GatewayConfig;
import dev.mailroute.support.Http;
import dev.mailroute.support.LedgerRows;
import dev.mailroute.support.LogCapture;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestGateway;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.support.service.ServiceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Several real relays (scripted SMTP servers that record each transaction) and a pickup folder,
 * chosen per recipient by the routing file; a message split across them arrives once at each.
 */
class RoutingTest {

    private static final String TABLE = """
            rules:
              - recipientDomain: corp.example.com
                relay: internal
              - recipientDomain: "*.corp.example.com"
                relay: internal
              - sender: "*@billing.example.com"
                relay: bulk
              - recipientDomain: test.local
                relay: testdrop
              - default: default
            """;

    private static final String ADMIN_KEY = "admin-key-0123456789";

    @TempDir
    Path data;

    private ScriptedSmtpServer m365;
    private ScriptedSmtpServer internal;
    private ScriptedSmtpServer bulk;
    private Path routing;
    private Path testdrop;

    @BeforeEach
    void relays() throws Exception {
        m365 = ScriptedSmtpServer.start();
        internal = ScriptedSmtpServer.start();
        bulk = ScriptedSmtpServer.start();
        routing = data.resolve("routing.yaml");
        Files.writeString(routing, TABLE);
        testdrop = data.resolve("testdrop");
    }

    @AfterEach
    void stop() {
        m365.close();
        internal.close();
        bulk.close();
    }

    private GatewayConfig config(int bulkPort) {
        return TestGateway.on(data).smtp(m365.port())
                .with("mailroute.relays", "internal, bulk, testdrop")
                .with("mailroute.relays.internal.host", "127.0.0.1")
                .with("mailroute.relays.internal.port", Integer.toString(internal.port()))
                .with("mailroute.relays.bulk.host", "127.0.0.1")
                .with("mailroute.relays.bulk.port", Integer.toString(bulkPort))
                .with("mailroute.relays.bulk.timeout", "5s")
                .with("mailroute.relays.testdrop.transport", "pickup")
                .with("mailroute.relays.testdrop.pickup.dir", testdrop.toString())
                .with("mailroute.routing.file", routing.toString())
                .with("mailroute.routing.checkInterval", "1s");
    }

    @Test
    void eachRecipientTakesTheRelayOfTheFirstMatchingRuleAndASplitMessageArrivesOnceAtEachWithItsOwnOutcome() throws Exception {
        GatewayConfig config = config(bulk.port());
        // the internal relay refuses one of its two recipients: that part's outcome is its own
        internal.replyTo("bob@eu.corp.example.com", "550 5.1.1 no such mailbox here");
        try (TestGateway gateway = config.start()) {
            String split = gateway.submit(MailRequests.from("ops@example.com", "alice@corp.example.com",
                    "bob@eu.corp.example.com", "carol@elsewhere.example", "dave@test.local"));
            gateway.submit(MailRequests.from("invoices@billing.example.com", "erin@elsewhere.example"));
            gateway.submit(MailRequests.from("ops@example.com", "frank@corp.example.com.evil.example"));

            await().until(() -> internal.transactions().size() == 1 && m365.transactions().size() == 2
                                && bulk.transactions().size() == 1 && Files.isDirectory(testdrop)
                                && gateway.files("testdrop").size() == 1);
            // the two recipients of one relay in one transaction, with the message as submitted
            assertThat(internal.transactions().get(0).recipients()).containsExactly("alice@corp.example.com");
            assertThat(m365.transactions()).extracting(ScriptedSmtpServer.Transaction::recipients)
                    .containsExactlyInAnyOrder(List.of("carol@elsewhere.example"),
                            List.of("frank@corp.example.com.evil.example"));
            assertThat(bulk.transactions().get(0).recipients()).containsExactly("erin@elsewhere.example");
            assertThat(bulk.transactions().get(0).from()).isEqualTo("invoices@billing.example.com");
            MimeMessage dropped = new MimeMessage(Session.getInstance(new java.util.Properties()),
                    Files.newInputStream(gateway.files("testdrop").get(0)));
            assertThat(dropped.getHeader("X-Receiver")).containsExactly("dave@test.local");
            // the split copies carry the same message: every relay got the same To and Subject
            MimeMessage atInternal = new MimeMessage(Session.getInstance(new java.util.Properties()),
                    new java.io.ByteArrayInputStream(internal.transactions().get(0).data()
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            assertThat(atInternal.getSubject()).isEqualTo(dropped.getSubject());
            gateway.awaitQueueEmpty();
            await().until(() -> gateway.broker().messageCount("mail.relay.internal") == 0
                                && gateway.broker().messageCount("mail.relay.bulk") == 0);
            assertThat(internal.transactions()).hasSize(1);
            assertThat(m365.transactions()).hasSize(2);
            assertThat(bulk.transactions()).hasSize(1);

            // the ledger has each recipient delivered, by its own relay's attempt
            LedgerRows ledger = LedgerRows.of(config);
            for (String address : List.of("alice@corp.example.com", "carol@elsewhere.example", "dave@test.local")) {
                ledger.awaitState(split, address, "delivered");
            }
            assertThat(ledger.awaitState(split, "bob@eu.corp.example.com", "bounced").get("reply_text"))
                    .asString().contains("no such mailbox here");
            assertThat(ledger.attempts(split)).extracting(row -> row.get("address") + " " + row.get("relay"))
                    .containsExactlyInAnyOrder(
                            "alice@corp.example.com 127.0.0.1:" + internal.port() + " (relay internal)",
                            "bob@eu.corp.example.com 127.0.0.1:" + internal.port() + " (relay internal)",
                            "carol@elsewhere.example 127.0.0.1:" + m365.port(),
                            "dave@test.local " + testdrop + " (relay testdrop)");
            // the internal relay's attempt parked bob: it counts as failed, the whole attempt being one
            assertThat(gateway.metric("mailroute_relay_attempts_total\\{outcome=\"failed\",relay=\"internal\"}"))
                    .isEqualTo(1);
            assertThat(gateway.metric("mailroute_relay_attempts_total\\{outcome=\"delivered\",relay=\"default\"}"))
                    .isEqualTo(2);
        }
    }

    @Test
    void aRelayThatIsDownWaitsOnItsOwnQueueWhileTheOthersDeliver() throws Exception {
        int bulkPort = TestGateway.freePort(); // nothing listens yet
        try (TestGateway gateway = config(bulkPort).with("mailroute.relays.bulk.circuit.failures", "1")
                .with("mailroute.relays.bulk.circuit.probeInterval", "1s").start()) {
            gateway.submit(MailRequests.from("invoices@billing.example.com", "erin@elsewhere.example",
                    "alice@corp.example.com"));
            await().until(() -> ServiceHelper.isSuspended(gateway.context().getRoute("deliver-bulk").getConsumer()));
            gateway.submit(MailRequests.from("ops@example.com", "carol@elsewhere.example"));
            await().until(() -> internal.transactions().size() == 1 && m365.transactions().size() == 1);
            assertThat(internal.transactions().get(0).recipients()).containsExactly("alice@corp.example.com");
            assertThat(ServiceHelper.isSuspended(gateway.context().getRoute("deliver-default").getConsumer())).isFalse();
            assertThat(gateway.broker().messageCount("mail.relay.bulk")).isEqualTo(1);
            assertThat(gateway.metric("mailroute_queue_depth\\{queue=\"mail.relay.bulk\"}")).isEqualTo(1);
            assertThat(gateway.metric("mailroute_relays_circuit\\{relay=\"bulk\"}")).isEqualTo(1);
            assertThat(gateway.metric("mailroute_relays_circuit\\{relay=\"default\"}")).isZero();

            try (ScriptedSmtpServer late = ScriptedSmtpServer.start(bulkPort)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> late.transactions().size() == 1);
                assertThat(late.transactions().get(0).recipients()).containsExactly("erin@elsewhere.example");
                await().until(() -> gateway.broker().messageCount("mail.relay.bulk") == 0);
            }
        }
    }

    /**
     * With a routing file the relay named default delivers from a queue of its own like any other:
     * mail.outbound is only routed, so default down, suspended or slow holds up no other relay.
     */
    @Test
    void theRelayNamedDefaultDownOrThrottledHoldsUpNoOtherRelay() throws Exception {
        m365.close();
        try (TestGateway gateway = config(bulk.port()).with("mailroute.smtp.port", Integer.toString(TestGateway.freePort()))
                .with("mailroute.circuit.failures", "1").with("mailroute.throttle.rate", "1")
                .with("mailroute.throttle.period", "60s").start()) {
            for (int i = 0; i < 5; i++) {
                gateway.submit(MailRequests.from("ops@example.com", "carol" + i + "@elsewhere.example"));
            }
            await().until(() -> ServiceHelper.isSuspended(gateway.context().getRoute("deliver-default").getConsumer()));
            gateway.submit(MailRequests.from("ops@example.com", "alice@corp.example.com"));
            await().until(() -> internal.transactions().size() == 1);
            assertThat(ServiceHelper.isSuspended(gateway.context().getRoute("deliver").getConsumer())).isFalse();
            assertThat(gateway.broker().messageCount("mail.outbound")).isZero();
            assertThat(gateway.broker().messageCount("mail.relay.default")).isEqualTo(5);
        }
    }

    @Test
    void anOperatorSuspendsOneRelayAndHoldsReleasesAndDeletesAPartWaitingOnItsQueue() throws Exception {
        try (TestGateway gateway = config(bulk.port()).with("mailroute.admin.keys", "ops:" + ADMIN_KEY).start()) {
            Http.Answer suspended = admin(gateway, "/api/v1/admin/delivery/suspend?relay=bulk", "{}");
            assertThat(suspended.json().get("relay").asText()).isEqualTo("bulk");
            await().until(() -> ServiceHelper.isSuspended(gateway.context().getRoute("deliver-bulk").getConsumer()));
            assertThat(ServiceHelper.isSuspended(gateway.context().getRoute("deliver-default").getConsumer())).isFalse();

            String id = gateway.submit(MailRequests.from("invoices@billing.example.com", "erin@elsewhere.example",
                    "alice@corp.example.com"));
            await().until(() -> internal.transactions().size() == 1
                                && gateway.broker().messageCount("mail.relay.bulk") == 1);
            JsonNode summary = Http.get(gateway.http("/api/v1/admin/queue"), "Authorization", "Bearer " + ADMIN_KEY)
                    .json();
            assertThat(summary.at("/queues/outbound").asLong()).isEqualTo(1);
            assertThat(summary.get("delivery").asText()).isEqualTo("running");
            JsonNode relays = summary.get("relays");
            assertThat(relays.get(0).get("name").asText()).isEqualTo("default");
            assertThat(relays.get(0).get("delivery").asText()).isEqualTo("running");
            JsonNode bulkRelay = relays.get(2);
            assertThat(bulkRelay.get("name").asText()).isEqualTo("bulk");
            assertThat(bulkRelay.get("delivery").asText()).isEqualTo("suspended");
            assertThat(bulkRelay.get("circuit").asText()).isEqualTo("CLOSED");
            assertThat(bulkRelay.get("waiting").asLong()).isEqualTo(1);

            // hold takes the part off its relay's queue; release puts it on mail.outbound, routed again
            admin(gateway, "/api/v1/admin/queue/hold", "{\"id\":\"" + id + "\"}");
            assertThat(gateway.broker().messageCount("mail.relay.bulk")).isZero();
            assertThat(gateway.broker().messageCount("mail.held")).isEqualTo(1);
            admin(gateway, "/api/v1/admin/queue/release", "{\"id\":\"" + id + "\"}");
            await().until(() -> gateway.broker().messageCount("mail.relay.bulk") == 1);
            assertThat(gateway.broker().messageCount("mail.held")).isZero();
            assertThat(internal.transactions()).hasSize(1);

            assertThat(admin(gateway, "/api/v1/admin/delivery/resume?relay=bulk", "{}").json().get("delivery")
                    .asText()).isEqualTo("running");
            await().until(() -> bulk.transactions().size() == 1);
            assertThat(bulk.transactions().get(0).recipients()).containsExactly("erin@elsewhere.example");

            // a second message's part, deleted from the relay's queue while that relay is suspended
            admin(gateway, "/api/v1/admin/delivery/suspend?relay=bulk", "{}");
            await().until(() -> ServiceHelper.isSuspended(gateway.context().getRoute("deliver-bulk").getConsumer()));
            String second = gateway.submit(MailRequests.from("invoices@billing.example.com", "zoe@elsewhere.example"));
            await().until(() -> gateway.broker().messageCount("mail.relay.bulk") == 1);
            admin(gateway, "/api/v1/admin/queue/delete", "{\"id\":\"" + second + "\"}");
            assertThat(gateway.broker().messageCount("mail.relay.bulk")).isZero();

            // under a suspension of all delivery, a relay resumed on its own stays suspended, and says so
            admin(gateway, "/api/v1/admin/delivery/suspend", "{}");
            assertThat(admin(gateway, "/api/v1/admin/delivery/resume?relay=bulk", "{}").json().get("delivery")
                    .asText()).isEqualTo("suspended");
            admin(gateway, "/api/v1/admin/delivery/resume", "{}");

            Http.Answer unknown = Http.post(gateway.http("/api/v1/admin/delivery/suspend?relay=nowhere"),
                    "application/json", "{}", "Authorization", "Bearer " + ADMIN_KEY);
            assertThat(unknown.status()).isEqualTo(400);
            assertThat(unknown.body()).contains("'nowhere' is not a relay of this gateway (default, internal, bulk,"
                                                + " testdrop)");
        }
    }

    /** A relay taken out of the configuration between two starts: what waited for it is routed again. */
    @Test
    void whatWaitsForARelayTheNextStartNoLongerHasIsRoutedAgain() throws Exception {
        GatewayConfig config = config(bulk.port()).with("mailroute.admin.keys", "ops:" + ADMIN_KEY);
        try (TestGateway gateway = config.start()) {
            admin(gateway, "/api/v1/admin/delivery/suspend?relay=bulk", "{}");
            await().until(() -> ServiceHelper.isSuspended(gateway.context().getRoute("deliver-bulk").getConsumer()));
            gateway.submit(MailRequests.from("invoices@billing.example.com", "erin@elsewhere.example"));
            await().until(() -> gateway.broker().messageCount("mail.relay.bulk") == 1);
        }
        Files.writeString(routing, TABLE.replace("  - sender: \"*@billing.example.com\"\n    relay: bulk\n", ""));
        try (LogCapture log = LogCapture.of("dev.mailroute.config.QueueWiring");
             TestGateway again = config.with("mailroute.relays", "internal, testdrop").start()) {
            await().until(() -> m365.transactions().size() == 1);
            assertThat(m365.transactions().get(0).recipients()).containsExactly("erin@elsewhere.example");
            assertThat(log.text()).contains("queue: 1 messages waited on mail.relay.bulk, the queue of a relay this"
                                            + " configuration does not have");
            assertThat(again.broker().messageCount("mail.relay.bulk")).isZero();
            assertThat(bulk.transactions()).isEmpty();
        }
    }

    private static Http.Answer admin(TestGateway gateway, String path, String body) {
        Http.Answer answer = Http.post(gateway.http(path), "application/json", body, "Authorization",
                "Bearer " + ADMIN_KEY);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer;
    }

    @Test
    void aBadEditIsRefusedWithItsLineWhileTheTableInForceRoutesAndAGoodEditAppliesWithoutRestart() throws Exception {
        try (TestGateway gateway = config(bulk.port()).start();
             LogCapture log = LogCapture.of(LiveRoutingTable.class)) {
            Files.writeString(routing, TABLE.replace("relay: internal\n  - recipientDomain: \"*", "relay: intrnal\n"
                                                                                                  + "  - recipientDomain: \"*"));
            await().until(() -> gateway.metric("mailroute_routing_reloads_total\\{outcome=\"refused\"}") == 1);
            assertThat(gateway.metric("mailroute_routing_refused")).isEqualTo(1);
            assertThat(log.text()).contains("routing: refused " + routing + " line 3: no relay is named 'intrnal'")
                    .contains("the table in force stays (5 rules from " + routing + ")");
            gateway.submit(MailRequests.from("ops@example.com", "alice@corp.example.com"));
            await().until(() -> internal.transactions().size() == 1);

            Files.writeString(routing, TABLE.replace("corp.example.com\n    relay: internal",
                    "corp.example.com\n    relay: bulk"));
            await().until(() -> gateway.metric("mailroute_routing_reloads_total\\{outcome=\"applied\"}") == 1);
            assertThat(gateway.metric("mailroute_routing_refused")).isZero();
            gateway.submit(MailRequests.from("ops@example.com", "alice@corp.example.com"));
            await().until(() -> bulk.transactions().size() == 1);
            assertThat(bulk.transactions().get(0).recipients()).containsExactly("alice@corp.example.com");
            assertThat(internal.transactions()).hasSize(1);
        }
    }

    /** Camel's live reload of the route files stops and starts every route: the named relays' routes too. */
    @Test
    void theNamedRelaysRoutesComeBackAfterALiveReloadOfTheRouteFiles() throws Exception {
        Path routes = Files.createDirectories(data.resolve("routes"));
        try (var files = Files.list(Path.of("routes"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        try (TestGateway gateway = config(bulk.port())
                .with("camel.main.routesIncludePattern", "file:" + routes + "/*.yaml")
                .with("camel.main.routesReloadEnabled", "true")
                .with("camel.main.routesReloadDirectory", routes.toString()).start();
             LogCapture remade = LogCapture.of("dev.mailroute.config.TemplatedRoutes")) {
            String edited = Files.readString(routes.resolve("transport-pickup.yaml")) + "\n# edited\n";
            Files.writeString(routes.resolve("transport-pickup.yaml"), edited);
            // the watcher polls every 2 s; Camel removes every route and adds back the files' own
            await().atMost(Duration.ofSeconds(60)).until(() -> remade.lines().stream()
                    .filter(l -> l.startsWith("INFO route deliver-")).count() == 4);
            assertThat(remade.text()).contains("route deliver-bulk made again from the template deliver-relay")
                    .contains("route deliver-default made again from the template deliver-relay");
            gateway.submit(MailRequests.from("invoices@billing.example.com", "erin@elsewhere.example",
                    "alice@corp.example.com"));
            await().atMost(Duration.ofSeconds(30)).until(() -> bulk.transactions().size() == 1
                                                               && internal.transactions().size() == 1);
        }
    }

    @Test
    void aRoutingFileThatDoesNotValidateStopsTheStartNamingItsLine() throws Exception {
        Files.writeString(routing, "rules:\n  - recipientDomain: corp.example.com\n    relay: nowhere\n"
                                   + "  - default: default\n");
        Throwable refused = catchThrowable(() -> config(bulk.port()).start().close());
        assertThat(refused).hasStackTraceContaining("mailroute.routing.file: " + routing + " line 3: no relay is"
                                                    + " named 'nowhere'");
    }
}
