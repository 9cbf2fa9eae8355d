package dev.mailroute.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.mailroute.support.GatewayConfig;
import dev.mailroute.support.Http;
import dev.mailroute.support.LedgerRows;
import dev.mailroute.support.LogCapture;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.PostgresServer;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.StandaloneBroker;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger on a real PostgreSQL server: shared by two instances on one broker, and out of the
 * way of the mail while it is gone.
 */
class PostgresLedgerTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static PostgresServer postgres;

    @TempDir
    Path first;
    @TempDir
    Path second;
    @TempDir
    Path brokerDir;

    private final List<AutoCloseable> running = new ArrayList<>();

    @BeforeAll
    static void startPostgres() {
        postgres = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        postgres.resume();
    }

    private GatewayConfig onPostgres(GatewayConfig config) {
        return config.with("mailroute.ledger.url", postgres.jdbcUrl())
                .with("mailroute.ledger.username", postgres.user())
                .with("mailroute.ledger.password", postgres.password());
    }

    private <T extends AutoCloseable> T closeLater(T closeable) {
        running.add(closeable);
        return closeable;
    }

    private static LedgerRows rows() {
        return LedgerRows.of(postgres.jdbcUrl(), postgres.user(), postgres.password());
    }

    @Test
    void twoInstancesOnOneBrokerWriteOneHistoryOfWhatOneAcceptedAndTheOtherDelivered() throws Exception {
        StandaloneBroker broker = closeLater(StandaloneBroker.start(brokerDir));
        ScriptedSmtpServer relay = closeLater(ScriptedSmtpServer.start()
                .reply(ScriptedSmtpServer.Stage.END_OF_DATA, "250 2.0.0 Ok: queued as B2"));
        TestGateway accepting = closeLater(broker.configure(onPostgres(TestGateway.on(first).smtp(relay.port()))).start());
        TestGateway delivering = closeLater(broker.configure(onPostgres(TestGateway.on(second).smtp(relay.port()))).start());
        // the first instance only accepts: everything it queues is delivered by the second
        accepting.context().getRouteController().stopRoute("deliver");

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(accepting.submit(MailRequests.minimal().put("subject", "shared " + i)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.transactions().size() == 10);
        assertThat(delivering.delivered("smtp")).isEqualTo(10);

        LedgerRows ledger = rows();
        for (String id : ids) {
            Map<String, Object> recipient = ledger.awaitState(id, "ops@example.com", "delivered");
            assertThat(recipient.get("reply_text")).isEqualTo("250 2.0.0 Ok: queued as B2");
            assertThat(ledger.message(id)).containsEntry("ingress", "http");
            assertThat(ledger.attempts(id)).singleElement()
                    .satisfies(a -> assertThat(a).containsEntry("outcome", "delivered"));
        }
        assertThat(ledger.query("SELECT count(*) AS n FROM ledger_message WHERE id = ANY (?)",
                (Object) ids.toArray(String[]::new)).get(0).get("n")).isEqualTo(10L);
    }

    @Test
    void withTheDatabaseGoneMailIsDeliveredTheLossIsCountedAndLaterEventsAreRecorded() throws Exception {
        LogCapture log = closeLater(LogCapture.of(LedgerWriter.class));
        GatewayConfig config = onPostgres(TestGateway.on(first)).with("mailroute.ledger.buffer", "1000");
        TestGateway gateway = closeLater(config.start());
        double droppedBefore = gateway.metric("mailroute_ledger_dropped_total");
        String before = gateway.submit(MailRequests.minimal().put("subject", "before"));
        rows().awaitState(before, "ops@example.com", "delivered");

        postgres.pause();
        // 1,600 messages: 3,200 events (accepted, delivered) for a buffer of 1,000 and the batch of at
        // most 1,000 the writer is trying to write
        for (int b = 0; b < 2; b++) {
            ArrayNode batch = MAPPER.createArrayNode();
            for (int i = 0; i < 800; i++) {
                batch.add(MailRequests.minimal().put("subject", "while down " + (b * 800 + i)));
            }
            Http.Answer answer = Http.post(gateway.http("/api/v1/messages/batch"), "application/json",
                    batch.toString());
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        }
        gateway.awaitFiles("pickup", 1601);

        await().atMost(Duration.ofSeconds(30)).until(() -> gateway.metric("mailroute_ledger_dropped_total") - droppedBefore >= 1000);
        JsonNode ledgerCheck = ledgerCheck(gateway);
        assertThat(ledgerCheck.get("status").asText()).isEqualTo("WARNING");
        assertThat(ledgerCheck.get("message").asText()).contains("events dropped")
                .doesNotContain("127.0.0.1").doesNotContain(postgres.jdbcUrl());
        assertThat(Http.get(gateway.http("/observe/health")).status()).isEqualTo(200);
        assertThat(log.text()).contains("ledger: cannot write to");
        assertThat(ledgerCheck.get("message").asText()).contains("cannot write to the ledger database");
        assertThat(log.text()).doesNotContain(postgres.password());

        postgres.resume();
        await().atMost(Duration.ofSeconds(30)).until(() -> log.text().contains("events were dropped while it was behind"));
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway.metric("mailroute_ledger_buffered") == 0);
        // writing again; the drops stay in the warning for a while, so that a probe cannot miss them
        assertThat(ledgerCheck(gateway).get("message").asText()).doesNotContain("cannot write")
                .contains("events dropped");
        // the ledger caught up: what happens now is recorded again
        String after = gateway.submit(MailRequests.minimal().put("subject", "after"));
        rows().awaitState(after, "ops@example.com", "delivered");
        // what waited in the buffer was written once the database was back
        assertThat(rows().query("SELECT count(*) AS n FROM ledger_message WHERE subject LIKE 'while down %'")
                .get(0).get("n")).satisfies(n -> assertThat(((Number) n).longValue()).isGreaterThanOrEqualTo(500));
    }

    private static JsonNode ledgerCheck(TestGateway gateway) {
        JsonNode health = Http.get(gateway.http("/observe/health")).json();
        for (JsonNode check : health.get("checks")) {
            if (check.get("name").asText().equals("ledger")) {
                return check;
            }
        }
        throw new AssertionError("no ledger check in " + health);
    }
}
