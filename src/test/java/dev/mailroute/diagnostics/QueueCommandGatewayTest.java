package dev.mailroute.diagnostics;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroute.support.GatewayConfig;
import dev.mailroute.support.LedgerRows;
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
 * {@code mailroute queue} against the real gateway, its real admin API and a real relay, reading
 * the same configuration the gateway was started with (as an operator's shell on that machine
 * does): suspend, list, hold by sender with a dry run first, delete one, release, resume — and
 * what reaches the relay is exactly the released messages, once each. {@link QueueCommandTest} covers
 * the command line's every refusal against a recording server; this one shows the two sides agree.
 */
class QueueCommandGatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_KEY = "admin-key-0123456789";
    private static final String SUBMIT_KEY = "submit-key-0123456789";
    private static final Function<String, String> NO_ENVIRONMENT = name -> null;

    private static ScriptedSmtpServer relay;
    private static GatewayConfig config;
    private static TestGateway gateway;
    private static LedgerRows ledger;
    private String output;
    private String errors;

    @BeforeAll
    static void start() throws Exception {
        relay = ScriptedSmtpServer.start();
        config = TestGateway.on(Scratch.folder("mailroute-queue-cli")).smtp(relay.port())
                .with("mailroute.retry.initialDelay", "1h")
                .with("mailroute.retry.maxDelay", "1h")
                .with("mailroute.api.keys", "app:" + SUBMIT_KEY)
                .with("mailroute.admin.keys", "ops:" + ADMIN_KEY);
        gateway = config.start();
        ledger = LedgerRows.of(config);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        relay.close();
    }

    @Test
    void anOperatorHoldsDeletesAndReleasesThroughTheCommandLine() throws Exception {
        assertThat(queue("suspend")).isZero();
        assertThat(output).isEqualTo("delivery suspended\n");
        String first;
        String second;
        String third;
        try {
            first = send("report@example.com", "one@example.net");
            second = send("report@example.com", "two@example.net");
            third = send("report@example.com", "three@example.net");
            ledger.awaitState(third, "three@example.net", "queued");

            assertThat(queue("summary", "--json")).isZero();
            JsonNode summary = JSON.readTree(output);
            assertThat(summary.get("queues").get("outbound").asLong()).isEqualTo(3);
            assertThat(summary.get("delivery").asText()).isEqualTo("suspended");

            assertThat(queue("ls", "--state", "queued", "--from", "report@example.com")).isZero();
            assertThat(output.lines()).hasSize(4).anySatisfy(line -> assertThat(line).contains(first)
                    .contains("report@example.com -> one@example.net queued (0 attempts)"));

            assertThat(queue("hold", "--from", "report@example.com", "--dry-run")).isZero();
            assertThat(output).isEqualTo("hold (dry run): 3 matched, none held\n");
            assertThat(gateway.broker().messageCount("mail.held")).isZero();
            assertThat(queue("hold", "--from", "report@example.com")).isZero();
            assertThat(output).isEqualTo("hold: 3 matched, 3 held\n");
            assertThat(gateway.broker().messageCount("mail.held")).isEqualTo(3);
            ledger.awaitState(first, "one@example.net", "held");

            assertThat(queue("delete", "--id", second)).isZero();
            assertThat(output).isEqualTo("delete: 1 matched, 1 deleted\n");
            assertThat(ledger.awaitState(second, "two@example.net", "deleted").get("reply_text"))
                    .isEqualTo("deleted by ops");
            assertThat(queue("ls", "--state", "held", "--json")).isZero();
            assertThat(JSON.readTree(output).get("messages")).hasSize(2);

            assertThat(queue("release", "--from", "report@example.com")).isZero();
            assertThat(output).isEqualTo("release: 2 matched, 2 released\n");
        } finally {
            assertThat(queue("resume")).isZero();
        }
        assertThat(output).isEqualTo("delivery running\n");
        // a message a consumer had in hand when delivery was suspended waits out its redelivery delay
        // (an hour here): a retry of everything sends it now
        assertThat(queue("retry", "--all", "ALL")).isBetween(0, 1);
        ledger.awaitState(first, "one@example.net", "delivered");
        ledger.awaitState(third, "three@example.net", "delivered");
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway.broker().messageCount("mail.outbound") == 0);
        assertThat(relay.deliveriesTo("one@example.net")).isEqualTo(1);
        assertThat(relay.deliveriesTo("three@example.net")).isEqualTo(1);
        assertThat(relay.deliveriesTo("two@example.net")).isZero();
        assertThat(queue("hold", "--id", second)).as("nothing left to hold").isEqualTo(1);
        assertThat(output).isEqualTo("hold: nothing matched\n");
    }

    @Test
    void aSubmitKeyInTheEnvironmentIsTurnedBackByTheInstance() {
        int exit = queue(name -> name.equals("MAILROUTE_ADMIN_KEY") ? SUBMIT_KEY : null, "summary");
        assertThat(exit).isEqualTo(2);
        assertThat(errors).contains("answered 403").contains("'app'").doesNotContain(SUBMIT_KEY);
        assertThat(output).isEmpty();
    }

    private static String send(String from, String to) {
        return gateway.submit(MailRequests.from(from, to), "Authorization", "Bearer " + SUBMIT_KEY);
    }

    private int queue(String... args) {
        return queue(NO_ENVIRONMENT, args);
    }

    private int queue(Function<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> settings = new HashMap<>(config.properties());
        int exit = QueueCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), settings, environment);
        output = out.toString(StandardCharsets.UTF_8);
        errors = err.toString(StandardCharsets.UTF_8);
        return exit;
    }
}
