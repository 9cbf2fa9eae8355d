package dev.mailroute.diagnostics;

import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailroute.ledger.LedgerQueries;
import dev.mailroute.observability.LogText;

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

    static final String USAGE = "usage: java -jar mailroute.jar track [--to ADDRESS] [--from ADDRESS] [--id ID]"
                                + " [--message-id MESSAGE-ID] [--state STATE] [--since TIME] [--until TIME]"
                                + " [--limit N] [--json]   (TIME: 2h, 30m, 7d or 2026-12-05T10:00:00Z;"
                                + " the admin key comes from MAILROUTE_ADMIN_KEY or mailroute.admin.keys)";
    /** Each option with a value, and the search parameter it becomes. */
    private static final Map<String, String> PARAMETERS = Map.of("--to", "recipient", "--from", "sender",
            "--message-id", "messageId", "--state", "state", "--since", "since", "--until", "until", "--limit", "limit");

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
        Map<String, String> query = new LinkedHashMap<>();
        String id = null;
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--json")) {
                json = true;
            } else if ((PARAMETERS.containsKey(option) || option.equals("--id")) && i + 1 < args.length) {
                if (option.equals("--id")) {
                    id = args[++i];
                } else {
                    query.put(PARAMETERS.get(option), args[++i]);
                }
            } else {
                out.println("mailroute track: " + (option.startsWith("--key") ? "the key is never an argument (others"
                        + " see arguments in the process list): set MAILROUTE_ADMIN_KEY" : "'" + LogText.oneLine(option, 60)
                        + "' " + (PARAMETERS.containsKey(option) || option.equals("--id") ? "needs a value"
                        : "is not an option")));
                out.println(USAGE);
                return 2;
            }
        }
        if (id != null && !query.isEmpty() && !(query.size() == 1 && query.containsKey("recipient"))) {
            out.println("mailroute track: --id names one message; only --to may go with it");
            out.println(USAGE);
            return 2;
        }
        try (QuietLogging quiet = QuietLogging.start()) {
            return ask(out, AdminClient.connect("track", null, overrides, environment), id, query, json);
        } catch (AdminClient.Failure e) {
            out.println("mailroute track: " + e.getMessage());
            return 2;
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
