package dev.mailroute.diagnostics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code queue} against a real HTTP server that answers as the admin queue API's contract says
 * (docs/cli.md) and records every request it got: the method, path, body and key each verb sends,
 * the lines and exit codes it makes of the answers, and the command lines refused before anything
 * is sent.
 */
class QueueCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "admin-key-0123456789";
    private static final Function<String, String> NO_ENVIRONMENT = name -> null;

    @TempDir
    Path data;

    private HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    /** What the server answers, by path without the query: status and body. */
    private final Map<String, Object[]> answers = new HashMap<>();
    private Map<String, String> config;
    private String output;
    private String errors;

    record Request(String method, String path, String authorization, String contentType, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("Content-Type"), body));
            Object[] answer = answers.getOrDefault(exchange.getRequestURI().getPath(), new Object[] {404,
                    "{\"type\":\"urn:mailroute:problem:not-found\",\"status\":404,\"detail\":\"no such path\"}"});
            byte[] bytes = ((String) answer[1]).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", (int) answer[0] == 200 ? "application/json"
                    : "application/problem+json");
            if ((int) answer[0] == 401) {
                // as the gateway answers: HttpURLConnection handles a 401 with it in a way of its own
                exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"mailroute\"");
            }
            exchange.sendResponseHeaders((int) answer[0], bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        config = new HashMap<>(TestGateway.on(data).with("mailroute.admin.keys", "ops:" + KEY + ",second:other-key")
                .with("mailroute.http.host", "127.0.0.1")
                .with("mailroute.http.port", Integer.toString(server.getAddress().getPort())).properties());
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void eachOperationPostsItsSelectionWithTheFirstAdminKey() throws Exception {
        for (String operation : List.of("hold", "release", "retry", "delete", "requeue")) {
            answers.put("/api/v1/admin/queue/" + operation, new Object[] {200,
                    "{\"operation\":\"" + operation + "\",\"matched\":3,\"touched\":2,\"dryRun\":false}"});
        }
        assertThat(queue("hold", "--from", "alerts@example.com", "--to", "ops@example.net", "--since", "2h")).isZero();
        assertThat(output).isEqualTo("hold: 3 matched, 2 held\n");
        assertThat(last()).isEqualTo(new Request("POST", "/api/v1/admin/queue/hold", "Bearer " + KEY,
                "application/json", last().body()));
        assertThat(last().json()).isEqualTo(JSON.readTree("{\"filter\":{\"sender\":\"alerts@example.com\","
                + "\"recipient\":\"ops@example.net\",\"since\":\"2h\"}}"));

        assertThat(queue("release", "--id", "0f6c2b1e-1111-4222-8333-944455556666")).isZero();
        assertThat(last().path()).isEqualTo("/api/v1/admin/queue/release");
        assertThat(last().json()).isEqualTo(JSON.readTree("{\"id\":\"0f6c2b1e-1111-4222-8333-944455556666\"}"));
        assertThat(output).isEqualTo("release: 3 matched, 2 released\n");

        assertThat(queue("retry", "--message-id", "<a1@example.com>")).isZero();
        assertThat(last().json()).isEqualTo(JSON.readTree("{\"filter\":{\"messageId\":\"<a1@example.com>\"}}"));

        assertThat(queue("delete", "--all", "ALL", "--dry-run")).isZero();
        assertThat(last().path()).isEqualTo("/api/v1/admin/queue/delete");
        assertThat(last().json()).isEqualTo(JSON.readTree("{\"all\":\"ALL\",\"dryRun\":true}"));
        assertThat(output).isEqualTo("delete (dry run): 3 matched, none deleted\n");

        assertThat(queue("requeue", "--to", "ops@example.net", "--json")).isZero();
        assertThat(last().path()).isEqualTo("/api/v1/admin/queue/requeue");
        assertThat(JSON.readTree(output)).as("--json prints the server's JSON").isEqualTo(JSON.readTree(
                "{\"operation\":\"requeue\",\"matched\":3,\"touched\":2,\"dryRun\":false}"));
        assertThat(requests).hasSize(5);

        // nothing matched: 1
        answers.put("/api/v1/admin/queue/hold", new Object[] {200,
                "{\"operation\":\"hold\",\"matched\":0,\"touched\":0,\"dryRun\":false}"});
        assertThat(queue("hold", "--from", "nobody@example.com")).isEqualTo(1);
        assertThat(output).isEqualTo("hold: nothing matched\n");
    }

    @Test
    void summaryListingAndDeliveryAskTheirPaths() throws Exception {
        String summary = "{\"queues\":{\"outbound\":12,\"deferred\":3,\"held\":2,\"failed\":1},"
                         + "\"oldestAcceptedAt\":\"2026-12-05T10:00:00.123Z\",\"delivery\":\"running\","
                         + "\"deliveredPerMinute\":4.5,\"circuit\":\"CLOSED\"}";
        answers.put("/api/v1/admin/queue", new Object[] {200, summary});
        assertThat(queue("summary")).isZero();
        assertThat(output).isEqualTo("outbound 12 (deferred 3), held 2, failed 1\noldest accepted"
                                     + " 2026-12-05T10:00:00Z\ndelivery running (4.5 delivered/min), circuit CLOSED\n");
        assertThat(last()).isEqualTo(new Request("GET", "/api/v1/admin/queue", "Bearer " + KEY, null, ""));
        assertThat(queue("summary", "--json")).isZero();
        assertThat(JSON.readTree(output)).isEqualTo(JSON.readTree(summary));

        String listing = "{\"messages\":[" + message("0f6c2b1e-1111-4222-8333-944455556666", "alerts@example.com",
                "ops@example.net", "deferred", 2) + "],\"next\":\"abc\"}";
        answers.put("/api/v1/admin/queue/messages", new Object[] {200, listing});
        assertThat(queue("ls", "--state", "deferred", "--from", "alerts@example.com", "--to", "ops+x@example.net",
                "--since", "2h", "--limit", "5")).isZero();
        assertThat(last().method()).isEqualTo("GET");
        assertThat(last().path()).isEqualTo("/api/v1/admin/queue/messages?state=deferred&sender=alerts%40example.com"
                                            + "&recipient=ops%2Bx%40example.net&since=2h&limit=5");
        assertThat(output).isEqualTo("2026-12-05T10:00:00Z  0f6c2b1e-1111-4222-8333-944455556666  alerts@example.com"
                                     + " -> ops@example.net deferred (2 attempts)\n"
                                     + "1 message (more: raise --limit, or narrow with --since)\n");
        assertThat(queue("ls", "--json")).isZero();
        assertThat(last().path()).isEqualTo("/api/v1/admin/queue/messages");
        assertThat(JSON.readTree(output)).isEqualTo(JSON.readTree(listing));

        answers.put("/api/v1/admin/queue/messages", new Object[] {200, "{\"messages\":[]}"});
        assertThat(queue("ls", "--state", "held")).isEqualTo(1);
        assertThat(output).startsWith("no messages matched");

        answers.put("/api/v1/admin/delivery/suspend", new Object[] {200, "{\"delivery\":\"suspended\"}"});
        answers.put("/api/v1/admin/delivery/resume", new Object[] {200, "{\"delivery\":\"running\"}"});
        assertThat(queue("suspend")).isZero();
        assertThat(output).isEqualTo("delivery suspended\n");
        assertThat(last().method()).isEqualTo("POST");
        assertThat(last().path()).isEqualTo("/api/v1/admin/delivery/suspend");
        assertThat(queue("resume")).isZero();
        assertThat(output).isEqualTo("delivery running\n");
        assertThat(last().path()).isEqualTo("/api/v1/admin/delivery/resume");
    }

    @Test
    void aListingFromStrangersIsShownEscapedOneLineAMessage() throws Exception {
        answers.put("/api/v1/admin/queue/messages", new Object[] {200, "{\"messages\":["
                + message("id\\r\\nFAKE 2026-01-01T00:00:00Z", "evil\\u001b[31m@example.com",
                "a@example.net\\nFAKE LINE", "queued\\u202e", 0) + "]}"});
        assertThat(queue("ls")).isZero();
        assertThat(output.lines()).hasSize(2);
        assertThat(output.lines().findFirst().orElseThrow()).isEqualTo("2026-12-05T10:00:00Z  id FAKE"
                + " 2026-01-01T00:00:00Z  evil\\x1b[31m@example.com -> a@example.net FAKE LINE queued\\u202e"
                + " (0 attempts)");
        assertThat(output).doesNotContain("\u001b").doesNotContain("\u202e");
    }

    @Test
    void deleteNotifySenderAsksTheSendersToBeToldAndGoesWithDeleteByIdOrFilterOnly() throws Exception {
        answers.put("/api/v1/admin/queue/delete", new Object[] {200,
                "{\"operation\":\"delete\",\"matched\":2,\"touched\":2,\"dryRun\":false}"});
        assertThat(queue("delete", "--from", "runaway@example.com", "--notify-sender")).isZero();
        assertThat(last().json()).isEqualTo(JSON.readTree("{\"filter\":{\"sender\":\"runaway@example.com\"},"
                + "\"notifySender\":true}"));
        assertThat(queue("hold", "--from", "runaway@example.com", "--notify-sender")).isEqualTo(2);
        assertThat(errors).contains("--notify-sender goes with delete only");
        assertThat(queue("delete", "--all", "ALL", "--notify-sender")).isEqualTo(2);
        assertThat(errors).contains("not of --all");
        assertThat(requests).hasSize(1);
    }

    @Test
    void aCommandLineThatNamesNoMessagesOrNotAllIsRefusedBeforeAnyRequest() {
        assertThat(queue("hold")).isEqualTo(2);
        assertThat(errors).isEqualTo("mailroute queue hold: which messages? Fix: --id ID, or a filter (--from, --to,"
                                     + " --message-id, --since), or --all ALL for every message (no filter never"
                                     + " means all)\n");
        assertThat(queue("delete", "--all", "all")).isEqualTo(2);
        assertThat(errors).startsWith("mailroute queue delete: --all: 'all' is not the word ALL").contains("Fix:");
        assertThat(queue("delete", "--all")).isEqualTo(2);
        assertThat(errors).contains("--all").contains("Fix: see mailroute queue delete --help");
        assertThat(queue("hold", "--id", "x", "--from", "a@example.com")).isEqualTo(2);
        assertThat(errors).contains("go alone");
        assertThat(queue("hold", "--from", " ")).isEqualTo(2);
        assertThat(errors).contains("--from: an empty value");
        assertThat(queue("hold", "--all", "ALL", "--key", KEY)).isEqualTo(2);
        assertThat(errors).contains("the key is never an argument").doesNotContain(KEY);
        assertThat(queue("ls", "--state", "lost")).isEqualTo(2);
        assertThat(errors).contains("--state: 'lost' is not a state");
        assertThat(queue("summary", "--url", "ftp://127.0.0.1/")).isEqualTo(2);
        assertThat(queue("bogus")).isEqualTo(2);
        assertThat(queue()).isEqualTo(2);
        assertThat(errors).startsWith("mailroute queue: which verb?");
        assertThat(output).isEmpty();
        assertThat(requests).as("nothing was sent").isEmpty();
    }

    @Test
    void theKeyComesFromTheEnvironmentOrTheConfigurationAndTheAddressFromTheConfigurationOrUrl() throws Exception {
        answers.put("/api/v1/admin/delivery/suspend", new Object[] {200, "{\"delivery\":\"suspended\"}"});
        assertThat(queue(name -> name.equals("MAILROUTE_ADMIN_KEY") ? " env-key " : null, "suspend")).isZero();
        assertThat(last().authorization()).isEqualTo("Bearer env-key");
        int sent = requests.size();
        assertThat(queue(name -> name.equals("MAILROUTE_ADMIN_KEY") ? "env-key\r\nX-Injected: 1" : null,
                "suspend")).isEqualTo(2);
        assertThat(errors).startsWith("mailroute queue suspend: the admin key holds a space or a character an HTTP"
                                      + " header cannot carry").doesNotContain("env-key");
        assertThat(requests).hasSize(sent);

        // --url wins over the configuration's port, which here has nothing listening
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        config.put("mailroute.http.port", Integer.toString(TestGateway.freePort()));
        assertThat(queue("suspend")).isEqualTo(2);
        assertThat(errors).startsWith("mailroute queue suspend: cannot reach mailroute at http://127.0.0.1:")
                .contains("(connection refused). Fix: start mailroute, or run queue with the configuration");
        assertThat(queue("suspend", "--url", url + "/")).isZero();
        assertThat(last().path()).isEqualTo("/api/v1/admin/delivery/suspend");

        config.remove("mailroute.admin.keys");
        assertThat(queue("suspend", "--url", url)).isEqualTo(2);
        assertThat(errors).startsWith("mailroute queue suspend: no admin key. Fix: set MAILROUTE_ADMIN_KEY");
    }

    @Test
    void aRefusalIsTwoWithTheInstancesReasonAndTheFix() {
        answers.put("/api/v1/admin/queue", new Object[] {401, "{\"type\":\"urn:mailroute:problem:unauthorized\","
                + "\"status\":401,\"detail\":\"no valid admin key\"}"});
        assertThat(queue("summary")).isEqualTo(2);
        assertThat(errors).isEqualTo("mailroute queue summary: http://127.0.0.1:" + server.getAddress().getPort()
                + " answered 401: no valid admin key. Fix: set MAILROUTE_ADMIN_KEY to one of the instance's"
                + " mailroute.admin.keys (the key after 'name:')\n");
        answers.put("/api/v1/admin/queue/hold", new Object[] {403, "{\"type\":\"urn:mailroute:problem:admin-only\","
                + "\"status\":403,\"detail\":\"an admin key is needed\"}"});
        assertThat(queue("hold", "--all", "ALL")).isEqualTo(2);
        assertThat(errors).contains("answered 403").contains("not an API key");
        answers.put("/api/v1/admin/queue/delete", new Object[] {401, "{\"type\":\"urn:mailroute:problem:unauthorized\","
                + "\"status\":401,\"detail\":\"no valid admin key\"}"});
        assertThat(queue("delete", "--from", "runaway@example.com")).as("a POST refused").isEqualTo(2);
        assertThat(errors).contains("answered 401: no valid admin key. Fix: set MAILROUTE_ADMIN_KEY");
        answers.put("/api/v1/admin/queue/retry", new Object[] {400, "{\"type\":\"urn:mailroute:problem:invalid-request\","
                + "\"status\":400,\"detail\":\"filter.since: 'yesterday\\u001b' is not a time\"}"});
        assertThat(queue("retry", "--since", "yesterday\u001b")).isEqualTo(2);
        assertThat(errors).contains("answered 400: filter.since: 'yesterday\\x1b' is not a time");
        assertThat(queue("suspend")).as("an instance without the admin API").isEqualTo(2);
        assertThat(errors).contains("answered 404").contains("admin queue API");
        assertThat(output).isEmpty();
    }

    @Test
    void showPrintsOneMessageEscapedAndItsJsonOnAsk() throws Exception {
        String id = "0f6c2b1e-1111-4222-8333-944455556666";
        String body = "{\"id\":\"" + id + "\",\"queue\":\"outbound\",\"deferredUntil\":\"2026-12-05T10:05:00.123Z\","
                + "\"size\":1234,\"envelope\":{\"from\":\"alerts@example.com\",\"to\":[\"ops@example.net\","
                + "\"dev@example.net\"]},\"headers\":[{\"name\":\"Subject\",\"value\":\"Disk \\u001b[31mred\\u001b[0m"
                + " \\u001b]0;pwned\\u0007 full\"},{\"name\":\"From\",\"value\":\"Alerts <alerts@example.com>\"}],"
                + "\"preview\":{\"contentType\":\"text/plain\",\"text\":\"line one\\r\\nline \\u001b[2Jtwo\","
                + "\"truncated\":true},\"ledger\":{\"id\":\"" + id + "\",\"recipients\":[{\"address\":"
                + "\"ops@example.net\",\"state\":\"deferred\",\"attempts\":2,\"history\":["
                + "{\"attempt\":2,\"at\":\"2026-12-05T10:01:00.000Z\",\"transport\":\"smtp\",\"relay\":\"relay:25\","
                + "\"outcome\":\"deferred\",\"replyCode\":451,\"replyStatus\":\"4.3.0\",\"replyText\":\"busy\","
                + "\"durationMs\":12},{\"attempt\":1,\"at\":\"2026-12-05T10:00:00.000Z\",\"transport\":\"smtp\","
                + "\"relay\":\"relay:25\",\"outcome\":\"deferred\",\"replyCode\":451,\"replyStatus\":\"4.3.0\","
                + "\"replyText\":\"busy\",\"durationMs\":10}]},{\"address\":\"dev@example.net\",\"state\":"
                + "\"delivered\",\"attempts\":1,\"history\":[{\"attempt\":1,\"at\":\"2026-12-05T10:00:00.000Z\","
                + "\"transport\":\"smtp\",\"relay\":\"relay:25\",\"outcome\":\"delivered\",\"replyCode\":250,"
                + "\"replyStatus\":null,\"replyText\":\"ok\",\"durationMs\":10}]}]}}";
        answers.put("/api/v1/admin/queue/messages/" + id, new Object[] {200, body});

        assertThat(queue("show", id)).isZero();
        assertThat(last()).isEqualTo(new Request("GET", "/api/v1/admin/queue/messages/" + id, "Bearer " + KEY, null,
                last().body()));
        assertThat(output).doesNotContain("\u001b").doesNotContain("\u0007");
        assertThat(output).isEqualTo(String.join("\n",
                "message   " + id,
                "from      alerts@example.com",
                "to        ops@example.net, dev@example.net",
                "size      1234 bytes",
                "queue     outbound, next attempt 2026-12-05T10:05:00Z",
                "",
                "headers",
                "  Subject: Disk \\x1b[31mred\\x1b[0m \\x1b]0;pwned\\x07 full",
                "  From: Alerts <alerts@example.com>",
                "",
                "attempts",
                "  2026-12-05T10:00:00Z  #1  ops@example.net  deferred  451 4.3.0 busy  (smtp relay:25, 10 ms)",
                "  2026-12-05T10:00:00Z  #1  dev@example.net  delivered  250 ok  (smtp relay:25, 10 ms)",
                "  2026-12-05T10:01:00Z  #2  ops@example.net  deferred  451 4.3.0 busy  (smtp relay:25, 12 ms)",
                "",
                "preview (text/plain)",
                "  line one",
                "  line \\x1b[2Jtwo",
                "  ... (truncated)",
                ""));

        assertThat(queue("show", id, "--json")).isZero();
        assertThat(JSON.readTree(output)).as("--json prints the server's JSON").isEqualTo(JSON.readTree(body));

        // unknown to the instance: 1, with its reason; not an id: 2, nothing sent
        String unknown = "0f6c2b1e-1111-4222-8333-000000000000";
        answers.put("/api/v1/admin/queue/messages/" + unknown, new Object[] {404, "{\"type\":"
                + "\"urn:mailroute:problem:not-found\",\"status\":404,\"detail\":\"no message \\u001b[31m" + unknown
                + "\"}"});
        assertThat(queue("show", unknown)).isEqualTo(1);
        assertThat(errors).startsWith("mailroute queue show: ").contains("knows no message " + unknown)
                .contains("\\x1b[31m").doesNotContain("\u001b");
        int sent = requests.size();
        assertThat(queue("show", "../../delivery/suspend")).isEqualTo(2);
        assertThat(errors).contains("ID: '../../delivery/suspend' is not a mailroute id");
        assertThat(requests).hasSize(sent);
    }

    @Test
    void everyVerbAndOptionHasHelp() {
        assertThat(queue("--help")).isZero();
        for (String verb : List.of("ls", "summary", "show", "hold", "release", "retry", "delete", "requeue", "suspend",
                "resume")) {
            assertThat(output).containsPattern("(?m)^  " + verb + " +\\S");
        }
        assertThat(queue("hold", "--help")).isZero();
        assertThat(output).startsWith("Usage: mailroute queue hold (--id ID |");
        for (String option : List.of("--id", "--from", "--to", "--message-id", "--since", "--all", "--dry-run",
                "--json", "--url", "--help")) {
            // the option, its value's label, and a description (on its line or the next)
            assertThat(output).containsPattern("(?m)^ +(-h, )?" + option + "(=\\S+)?\\s+[a-z]");
        }
        assertThat(queue("ls", "--help")).isZero();
        assertThat(output).contains("--state=STATE").contains("--limit=N");
        assertThat(requests).isEmpty();
    }

    private static String message(String id, String sender, String recipient, String state, int attempts) {
        return "{\"id\":\"" + id + "\",\"sender\":\"" + sender + "\",\"acceptedAt\":\"2026-12-05T10:00:00.456Z\","
               + "\"recipients\":[{\"address\":\"" + recipient + "\",\"state\":\"" + state + "\",\"attempts\":"
               + attempts + "}]}";
    }

    private Request last() {
        return requests.get(requests.size() - 1);
    }

    private int queue(String... args) {
        return queue(NO_ENVIRONMENT, args);
    }

    private int queue(Function<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = QueueCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), config, environment);
        output = out.toString(StandardCharsets.UTF_8);
        errors = err.toString(StandardCharsets.UTF_8);
        return exit;
    }
}
