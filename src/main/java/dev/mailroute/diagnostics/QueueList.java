package dev.mailroute.diagnostics;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailroute.observability.LogText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code queue ls}: the messages in a queue, one line each — accepted at, id, sender, and each
 * recipient with its state and attempts — read from the instance's ledger. Every value came from a
 * stranger (a client, a relay), so each is shown escaped ({@link LogText}).
 */
@Command(name = "ls", description = {"List the messages waiting in the queues, one line each: accepted at, id,"
        + " sender, and each recipient with its state and attempts. Read from the ledger (mailroute.ledger.enabled).",
        "Exit code 0 when something is listed, 1 when nothing matched, 2 for a wrong command line or an instance"
        + " that cannot be asked."})
final class QueueList extends QueueVerb {

    private static final Set<String> STATES = Set.of("queued", "deferred", "held", "failed");
    private static final String STATE_NAMES = "queued, deferred, held or failed";
    /** At most this many recipients on a message's line; the rest are counted. */
    private static final int RECIPIENTS_SHOWN = 5;

    @Mixin
    QueueFilter filter;

    @Option(names = "--state", paramLabel = "STATE", description = "messages in this state: " + STATE_NAMES)
    String state;

    @Option(names = "--limit", paramLabel = "N", description = "at most N messages (default: the instance's)")
    Integer limit;

    QueueList(Map<String, String> overrides, Function<String, String> environment) {
        super(overrides, environment);
    }

    @Override
    void check() {
        if (state != null && !STATES.contains(state)) {
            throw usage("--state: '" + LogText.oneLine(state, 40) + "' is not a state. Fix: " + STATE_NAMES);
        }
        filter.fields(this::usage);
    }

    @Override
    int ask(AdminClient client) throws AdminClient.Failure {
        Map<String, String> query = new LinkedHashMap<>();
        QueueFilter.put(query, "--state", "state", state, this::usage);
        query.putAll(filter.fields(this::usage));
        if (limit != null) {
            query.put("limit", limit.toString());
        }
        StringJoiner parameters = new StringJoiner("&", "?", "").setEmptyValue("");
        query.forEach((name, value) -> parameters.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8)));

        AdminClient.Answer answer = client.get("/api/v1/admin/queue/messages" + parameters);
        if (answer.status() != 200) {
            throw client.refused(answer, "set mailroute.ledger.enabled=true on the instance (the listing reads the"
                                         + " ledger); " + QueueCommand.NO_ADMIN_API);
        }
        JsonNode messages = answer.body().path("messages");
        if (json) {
            printJson(answer.body());
            return messages.isEmpty() ? 1 : 0;
        }
        if (messages.isEmpty()) {
            out().println("no messages matched in the queues of " + client.where());
            return 1;
        }
        for (JsonNode message : messages) {
            out().println(line(message));
        }
        out().println(messages.size() + (messages.size() == 1 ? " message" : " messages")
                      + (answer.body().has("next") ? " (more: raise --limit, or narrow with --since)" : ""));
        return 0;
    }

    /** accepted at, id, sender -> recipient state (attempts), ...: every value escaped. */
    static String line(JsonNode message) {
        List<String> recipients = new ArrayList<>();
        for (JsonNode recipient : message.path("recipients")) {
            if (recipients.size() == RECIPIENTS_SHOWN) {
                recipients.add("+" + (message.path("recipients").size() - RECIPIENTS_SHOWN) + " more");
                break;
            }
            int attempts = recipient.path("attempts").asInt();
            recipients.add(LogText.oneLine(recipient.path("address").asText(), 320) + " "
                           + LogText.oneLine(recipient.path("state").asText(), 20) + " (" + attempts
                           + (attempts == 1 ? " attempt)" : " attempts)"));
        }
        JsonNode sender = message.path("sender");
        return String.join("  ", AdminClient.time(message.path("acceptedAt")),
                LogText.oneLine(message.path("id").asText(), 64),
                (sender.isTextual() && !sender.asText().isEmpty() ? LogText.oneLine(sender.asText(), 320) : "<>")
                + " -> " + String.join(", ", recipients));
    }
}
