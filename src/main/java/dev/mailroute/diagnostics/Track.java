package dev.mailroute.diagnostics;

import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailroute.ledger.LedgerQueries;
import dev.mailroute.observability.LogText;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar mailroute.jar track --to customer@example.com --since 2h}: asks the running
 * mailroute (the one this configuration describes) what became of messages, through its status
 * API with an admin key, and prints one line per recipient — accepted at, id, recipient, state,
 * attempts, last reply — or the answer's JSON with {@code --json}.
 *
 * <p>The key is {@code MAILROUTE_ADMIN_KEY} from the environment, else the first of
 * {@code mailroute.admin.keys} in the configuration the instance reads; never an argument, which
 * anyone on the machine could read in the process list.
 *
 * <p>Exit code 0 when something was found, 1 when nothing was, 2 for a wrong command line or an
 * instance that cannot be asked (one line says what, and the fix).
 */
public final class Track {

    private static final String STATES = "queued, deferred, delivered, bounced, failed or expired";

    private Track() {
    }

    public static int run(String[] args, PrintStream out) {
        return run(args, out, Map.of(), System::getenv);
    }

    /**
     * @param overrides property values that win over the environment and the file (tests)
     * @param environment where MAILROUTE_ADMIN_KEY is looked up
     */
    public static int run(String[] args, PrintStream out, Map<String, String> overrides,
                          Function<String, String> environment) {
        return ToolCommandLine.execute(new CommandLine(new Options(out, overrides, environment)), args, out, out);
    }

    @Command(name = "mailroute track", sortOptions = false, description = {"What became of messages: asks the"
            + " running mailroute's ledger and prints one line per recipient (accepted at, id, recipient, state,"
            + " attempts, the relay's last reply).",
            "The admin key comes from MAILROUTE_ADMIN_KEY, else the first of mailroute.admin.keys; never from the"
            + " command line.",
            "Exit code 0 when something was found, 1 when nothing was, 2 for a wrong command line or an instance"
            + " that cannot be asked."})
    private static final class Options implements Callable<Integer> {

        @Option(names = "--id", paramLabel = "ID", description = "one message, by its mailroute id; --to may go with it")
        String id;

        @Option(names = "--state", paramLabel = "STATE", description = "recipients in this state: " + STATES)
        String state;

        @Option(names = "--until", paramLabel = "TIME", description = "messages accepted before TIME")
        String until;

        @Option(names = "--limit", paramLabel = "N", description = "at most N messages")
        Integer limit;

        @Option(names = "--json", description = "print the instance's JSON answer instead of lines")
        boolean json;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
        boolean help;

        @Mixin
        QueueFilter filter;

        @Spec
        CommandSpec spec;

        private final PrintStream out;
        private final Map<String, String> overrides;
        private final Function<String, String> environment;

        Options(PrintStream out, Map<String, String> overrides, Function<String, String> environment) {
            this.out = out;
            this.overrides = overrides;
            this.environment = environment;
        }

        @Override
        public Integer call() {
            Function<String, RuntimeException> usage = line -> new ParameterException(spec.commandLine(), line);
            Map<String, String> query = new LinkedHashMap<>(filter.fields(usage));
            QueueFilter.put(query, "--state", "state", state, usage);
            QueueFilter.put(query, "--until", "until", until, usage);
            QueueFilter.put(query, "--limit", "limit", limit == null ? null : limit.toString(), usage);
            if (id != null && !query.isEmpty() && !(query.size() == 1 && query.containsKey("recipient"))) {
                throw usage.apply("--id names one message; only --to may go with it");
            }
            try (QuietLogging quiet = QuietLogging.start()) {
                return ask(out, AdminClient.connect("track", null, overrides, environment), id, query, json);
            } catch (AdminClient.Failure e) {
                out.println("mailroute track: " + e.getMessage());
                return 2;
            }
        }
    }

    private static int ask(PrintStream out, AdminClient client, String id, Map<String, String> query, boolean json)
            throws AdminClient.Failure {
        String path;
        if (id != null) {
            path = "/api/v1/messages/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
        } else {
            StringJoiner parameters = new StringJoiner("&", "?", "").setEmptyValue("");
            query.forEach((name, value) -> parameters.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8)));
            path = "/api/v1/messages" + parameters;
        }
        AdminClient.Answer answer = client.get(path);
        JsonNode body = answer.body();
        if (answer.status() == 404 && id != null && body.path("type").asText().endsWith(":not-found")) {
            out.println("no message " + LogText.oneLine(id, 64) + " in the ledger of " + client.where());
            return 1;
        }
        if (answer.status() != 200) {
            throw client.refused(answer, "set mailroute.ledger.enabled=true on the instance");
        }
        if (json) {
            out.println(body.toPrettyString());
            return id != null || !body.path("messages").isEmpty() ? 0 : 1;
        }
        int lines = 0;
        for (JsonNode message : id != null ? List.of(body) : iterable(body.path("messages"))) {
            for (JsonNode recipient : message.path("recipients")) {
                if (query.containsKey("recipient")
                    && !recipient.path("address").asText().equalsIgnoreCase(query.get("recipient"))) {
                    continue;
                }
                out.println(line(message, recipient));
                lines++;
            }
        }
        if (lines == 0) {
            out.println("no messages found" + (id != null ? " for that recipient" : "") + " in the ledger of "
                        + client.where());
            return 1;
        }
        if (body.has("next")) {
            out.println("(more: raise --limit, or narrow with --since)");
        }
        return 0;
    }

    /** accepted at, id, recipient, state, attempts, last reply: every text from outside on one escaped line. */
    static String line(JsonNode message, JsonNode recipient) {
        String accepted = AdminClient.time(message.path("acceptedAt"));
        String reply = LedgerQueries.reply(recipient.path("replyCode").isNumber() ? recipient.path("replyCode").asInt()
                : null, text(recipient.path("replyStatus")), text(recipient.path("replyText")));
        return String.join("  ", accepted, LogText.oneLine(message.path("id").asText(), 64),
                LogText.oneLine(recipient.path("address").asText(), 320),
                recipient.path("state").asText().toLowerCase(Locale.ROOT),
                "attempts=" + recipient.path("attempts").asInt(),
                reply.isEmpty() ? "-" : LogText.oneLine(reply, 300));
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : null;
    }

    private static Iterable<JsonNode> iterable(JsonNode array) {
        return array::elements;
    }
}
