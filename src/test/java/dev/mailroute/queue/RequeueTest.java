package dev.mailroute.queue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailroute.diagnostics.QueueCommand;
import dev.mailroute.support.GatewayConfig;
import dev.mailroute.support.Http;
import dev.mailroute.support.Http.Answer;
import dev.mailroute.support.LedgerRows;
import dev.mailroute.support.LogCapture;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * requeue against the real gateway, a real relay and the SQLite ledger: a parked message goes back
 * for its failed recipients only, with a fresh retry window, failed/ keeps no file of it, and the
 * ledger, the audit line and the metric say who did it.
 */
class RequeueTest {

    private static final String ADMIN = "Bearer admin-key-0123456789";
    private static final String SUBMIT = "Bearer submit-key-0123456789";
    private static final String OPERATIONS = "mailroute_queue_operations_total\\{.*operation=\"requeue\".*}";

    private static ScriptedSmtpServer relay;
    private static TestGateway gateway;
    private static LedgerRows ledger;
    private static GatewayConfig config;

    @BeforeAll
    static void start() throws Exception {
        Path data = Scratch.folder("mailroute-requeue");
        relay = ScriptedSmtpServer.start();
        // a deferral waits an hour (only an operator's retry makes it go sooner); a message expires 3 s
        // after its first attempt
        config = TestGateway.on(data).smtp(relay.port())
                .with("mailroute.retry.initialDelay", "1h")
                .with("mailroute.retry.maxDelay", "1h")
                .with("mailroute.retry.maxAge", "3s")
                .with("mailroute.api.keys", "app:submit-key-0123456789")
                .with("mailroute.admin.keys", "ops:admin-key-0123456789");
        gateway = config.start();
        ledger = LedgerRows.of(config);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        relay.close();
    }

    @Test
    void aPartlyBouncedMessageGoesBackForTheBouncedRecipientOnlyExactlyOnce() throws Exception {
        relay.replyTo("bounced@example.com", "550 5.1.1 no such user");
        String id = send("requeue-test@example.com", "delivered@example.com", "bounced@example.com");
        ledger.awaitState(id, "bounced@example.com", "bounced");
        ledger.awaitState(id, "delivered@example.com", "delivered");
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway.broker().messageCount("mail.failed") == 1);
        assertThat(parked(id)).hasSize(2);
        assertThat(relay.deliveriesTo("delivered@example.com")).isEqualTo(1);
        relay.replyTo("bounced@example.com", null);
        double before = Math.max(0, gateway.metric(OPERATIONS));

        // the command line's verb, against this gateway's answer
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = QueueCommand.run(new String[]{"requeue", "--id", id, "--dry-run"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()),
                config.properties(), name -> null);
        assertThat(exit).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("requeue (dry run): 1 matched, none requeued\n");

        JsonNode dry = operate("{\"filter\":{\"sender\":\"requeue-test@example.com\"},\"dryRun\":true}");
        assertThat(dry.get("matched").asLong()).isEqualTo(1);
        assertThat(dry.get("touched").asLong()).isZero();
        assertThat(gateway.broker().messageCount("mail.failed")).isEqualTo(1);
        assertThat(parked(id)).hasSize(2);

        int transactions = relay.transactions().size();
        try (LogCapture events = LogCapture.of("mailroute.events")) {
            JsonNode answer = operate("{\"id\":\"" + id + "\"}");
            assertThat(answer.get("operation").asText()).isEqualTo("requeue");
            assertThat(answer.get("matched").asLong()).isEqualTo(1);
            assertThat(answer.get("touched").asLong()).isEqualTo(1);
            assertThat(events.lines()).contains("INFO event=queue-operation operator=ops operation=requeue filter=\"id="
                                                + id + "\" matched=1 touched=1 dryRun=false");
        }
        // a requeued message leaves no file in failed/ and no copy on mail.failed
        assertThat(parked(id)).isEmpty();
        assertThat(gateway.broker().messageCount("mail.failed")).isZero();

        await().atMost(Duration.ofSeconds(30)).until(() -> relay.deliveriesTo("bounced@example.com") == 1);
        assertThat(((Number) ledger.awaitState(id, "bounced@example.com", "delivered").get("attempts")).intValue())
                .as("numbered after the attempt that bounced").isEqualTo(2);
        gateway.awaitQueueEmpty();
        List<ScriptedSmtpServer.Transaction> after = relay.transactions().subList(transactions,
                relay.transactions().size());
        assertThat(after).hasSize(1);
        assertThat(after.get(0).recipients()).containsExactly("bounced@example.com");
        assertThat(relay.deliveriesTo("delivered@example.com")).as("never sent again").isEqualTo(1);
        assertThat(ledger.attempts(id)).anySatisfy(row -> assertThat(row.get("outcome")).isEqualTo("bounced"));
        // the two dry runs (command line and API) count as operations too, as they do for the others
        assertThat(gateway.metric(OPERATIONS) - before).isEqualTo(3.0);
    }

    @Test
    void anExpiredMessageRequeuedGetsAFreshRetryWindow() {
        relay.replyTo("late@example.com", "451 4.3.0 try again later");
        String id = send("expiry-test@example.com", "late@example.com");
        ledger.awaitState(id, "late@example.com", "deferred");
        // past mailroute.retry.maxAge (3 s after the first attempt), the next attempt ends the retries
        long firstAttempt = System.currentTimeMillis();
        await().atMost(Duration.ofSeconds(30)).until(() -> System.currentTimeMillis() - firstAttempt > 3_500);
        operate("{\"id\":\"" + id + "\"}", "retry");
        ledger.awaitState(id, "late@example.com", "expired");
        await().atMost(Duration.ofSeconds(30)).until(() -> parked(id).size() == 2);

        assertThat(operate("{\"filter\":{\"recipient\":\"late@example.com\"}}").get("touched").asLong()).isEqualTo(1);
        // tried at once, refused again: deferred (a fresh window), not expired at once
        var row = ledger.awaitState(id, "late@example.com", "deferred");
        assertThat(((Number) row.get("attempts")).intValue()).isEqualTo(3);
        assertThat(parked(id)).isEmpty();
        relay.replyTo("late@example.com", null);
        operate("{\"id\":\"" + id + "\"}", "retry");
        ledger.awaitState(id, "late@example.com", "delivered");
    }

    /**
     * A parked copy whose recipients the ledger no longer has as failed (another operator's requeue
     * got there first) is only looked at: never taken and given back, which would count a delivery
     * on it and hide it for the broker's redelivery delay.
     */
    @Test
    void aParkedMessageTheLedgerHasNothingToRequeueOfStaysOnMailFailedUntouched() {
        relay.replyTo("taken@example.com", "550 5.1.1 no such user");
        String id = send("race-test@example.com", "taken@example.com");
        ledger.awaitState(id, "taken@example.com", "bounced");
        await().atMost(Duration.ofSeconds(30)).until(() -> parked(id).size() == 2);
        long parkedBefore = gateway.broker().messageCount("mail.failed");
        assertThat(ledger.update("UPDATE ledger_recipient SET state = 'queued' WHERE mail_id = ?", id)).isEqualTo(1);

        assertThat(operate("{\"id\":\"" + id + "\"}").get("touched").asLong()).isZero();
        assertThat(gateway.broker().messageCount("mail.failed")).isEqualTo(parkedBefore);
        assertThat(gateway.broker().scheduledCount("mail.failed")).as("not waiting out a redelivery delay").isZero();
        assertThat(parked(id)).hasSize(2);

        // once the ledger has it as bounced again, the same copy goes back at once
        relay.replyTo("taken@example.com", null);
        ledger.update("UPDATE ledger_recipient SET state = 'bounced' WHERE mail_id = ?", id);
        assertThat(operate("{\"id\":\"" + id + "\"}").get("touched").asLong()).isEqualTo(1);
        ledger.awaitState(id, "taken@example.com", "delivered");
        assertThat(relay.deliveriesTo("taken@example.com")).isEqualTo(1);
    }

    @Test
    void withTheLedgerOffARequeueIsRefusedNamingTheSetting() throws Exception {
        Path data = Scratch.folder("mailroute-requeue-off");
        try (TestGateway off = TestGateway.on(data).smtp(relay.port())
                .with("mailroute.ledger.enabled", "false")
                .with("mailroute.admin.keys", "ops:admin-key-0123456789").start()) {
            Answer answer = Http.post(off.http("/api/v1/admin/queue/requeue"), "application/json", "{\"all\":\"ALL\"}",
                    "Authorization", ADMIN);
            assertThat(answer.status()).as(answer.body()).isEqualTo(409);
            assertThat(answer.json().get("detail").asText()).contains("mailroute.ledger.enabled");
        }
    }

    private static List<Path> parked(String id) {
        Path failed = gateway.folder("failed");
        if (!Files.isDirectory(failed)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(failed)) {
            return files.filter(f -> f.getFileName().toString().startsWith(id)).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String send(String from, String... to) {
        return gateway.submit(MailRequests.from(from, to), "Authorization", SUBMIT);
    }

    private static JsonNode operate(String body) {
        return operate(body, "requeue");
    }

    private static JsonNode operate(String body, String operation) {
        Answer answer = Http.post(gateway.http("/api/v1/admin/queue/" + operation), "application/json", body,
                "Authorization", ADMIN);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }
}
