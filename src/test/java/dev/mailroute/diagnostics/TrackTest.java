package dev.mailroute.diagnostics;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.ScriptedSmtpServer.Stage;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code track} against a running gateway, in-process: its lines and its exit codes. */
class TrackTest {

    private static final Function<String, String> NO_ENVIRONMENT = name -> null;

    @TempDir
    Path data;

    private String output;

    @Test
    void oneLinePerRecipientWithTheRelaysAnswer() throws Exception {
        try (ScriptedSmtpServer relay = ScriptedSmtpServer.start()
                .reply(Stage.END_OF_DATA, "250 2.0.0 Ok: queued as 7F3A");
             TestGateway gateway = TestGateway.on(data).smtp(relay.port())
                     .with("mailroute.admin.keys", "ops:admin-key-0123456789").start()) {
            ObjectNode request = MailRequests.minimal();
            request.putArray("to").add("customer@example.net").add("other@example.net");
            String id = gateway.submit(request);
            Map<String, String> config = new HashMap<>(gateway.again().properties());

            await().atMost(Duration.ofSeconds(30)).until(() -> track(config, NO_ENVIRONMENT, "--to",
                    "Customer@Example.NET", "--since", "2h") == 0 && output.contains("delivered"));
            assertThat(output.lines()).hasSize(1);
            assertThat(output.strip()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ  " + id
                    + "  customer@example.net  delivered  attempts=1  250 2\\.0\\.0 Ok: queued as 7F3A");

            assertThat(track(config, NO_ENVIRONMENT, "--id", id)).isZero();
            assertThat(output.lines()).hasSize(2).anyMatch(l -> l.contains("  other@example.net  delivered"));

            assertThat(track(config, NO_ENVIRONMENT, "--from", "alerts@example.com", "--state", "delivered",
                    "--json", "--limit", "5")).isZero();
            assertThat(new ObjectMapper().readTree(output).get("messages").get(0).get("id").asText()).isEqualTo(id);

            // nothing found: 1
            assertThat(track(config, NO_ENVIRONMENT, "--to", "nobody@example.net")).isEqualTo(1);
            assertThat(output).startsWith("no messages found in the ledger of http://127.0.0.1:");
            assertThat(track(config, NO_ENVIRONMENT, "--id", "00000000-0000-0000-0000-000000000000")).isEqualTo(1);

            // the environment's key wins over the configuration's; a wrong one is a 2 saying so
            assertThat(track(config, name -> name.equals("MAILROUTE_ADMIN_KEY") ? "wrong-key" : null,
                    "--to", "customer@example.net")).isEqualTo(2);
            assertThat(output).contains("answered 401").contains("Fix: set MAILROUTE_ADMIN_KEY")
                    .doesNotContain("wrong-key");

            // a bad option value is the API's 400, named
            assertThat(track(config, NO_ENVIRONMENT, "--state", "lost")).isEqualTo(2);
            assertThat(output).contains("state: 'lost' is not one of");
        }
    }

    @Test
    void aWrongCommandLineOrNoInstanceIsTwoWithTheFix() {
        Map<String, String> config = new HashMap<>(TestGateway.on(data)
                .with("mailroute.admin.keys", "ops:admin-key-0123456789").properties());
        assertThat(track(config, NO_ENVIRONMENT, "--bogus")).isEqualTo(2);
        assertThat(output.strip()).isEqualTo("mailroute track: Unknown option: '--bogus'. Fix: see mailroute track"
                                             + " --help");
        assertThat(track(config, NO_ENVIRONMENT, "--key", "admin-key-0123456789")).isEqualTo(2);
        assertThat(output).contains("the key is never an argument");
        assertThat(track(config, NO_ENVIRONMENT, "--to")).isEqualTo(2);
        assertThat(output).contains("Missing required parameter for option '--to'");
        assertThat(track(config, NO_ENVIRONMENT, "--id", "x", "--from", "alerts@example.com")).isEqualTo(2);
        assertThat(output).contains("--id names one message; only --to may go with it");
        assertThat(track(config, NO_ENVIRONMENT, "--help")).isZero();
        assertThat(output).startsWith("Usage: mailroute track").contains("--message-id=MESSAGE-ID");

        int port = Integer.parseInt(config.get("mailroute.http.port"));
        assertThat(track(config, NO_ENVIRONMENT, "--to", "customer@example.net")).isEqualTo(2);
        assertThat(output.strip()).isEqualTo("mailroute track: cannot reach mailroute at http://127.0.0.1:" + port
                + " (connection refused). Fix: start mailroute, or run track with the configuration of the running"
                + " one (mailroute.http.host, mailroute.http.port)");

        config.remove("mailroute.admin.keys");
        assertThat(track(config, NO_ENVIRONMENT, "--since", "1h")).isEqualTo(2);
        assertThat(output).startsWith("mailroute track: no admin key. Fix: set MAILROUTE_ADMIN_KEY");
    }

    private int track(Map<String, String> config, Function<String, String> environment, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = Track.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8), config, environment);
        output = bytes.toString(StandardCharsets.UTF_8);
        return exit;
    }
}
