package dev.mailroute.diagnostics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailroute.observability.LogText;
import dev.mailroute.queue.MessageSelectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code queue show ID}: one message as the instance knows it (GET
 * /api/v1/admin/queue/messages/{id}) — envelope, where it waits and when it is tried next, its
 * headers, its attempts as a timeline, and a preview of its text. Every string of the answer came
 * from a client or a relay, so each is shown escaped ({@link LogText}): nothing of it can move the
 * cursor, recolour the terminal or add a line of its own; the preview keeps its line breaks only.
 */
@Command(name = "show", description = {"One message: its envelope, queue and next attempt, headers, attempts"
        + " (a timeline) and a preview of its text.",
        "Exit code 0, 1 when the instance knows no such message, 2 for a wrong command line or an instance that"
        + " cannot be asked."})
final class QueueShow extends QueueVerb {

    /** Preview lines shown at most; the server bounds the text, this bounds the screen. */
    static final int PREVIEW_LINES = 40;

    @Parameters(index = "0", paramLabel = "ID", description = "the message's mailroute id")
    String id;

    QueueShow(Map<String, String> overrides, Function<String, String> environment) {
        super(overrides, environment);
    }

    @Override
    void check() {
        if (!MessageSelectors.isId(id)) {
            throw usage("ID: '" + LogText.oneLine(id, 64) + "' is not a mailroute id. Fix: give the id of the 202"
                        + " answer or of queue ls, e.g. 33eceb3d-540c-4845-8e19-f02c3204d7a2");
        }
    }

    @Override
    int ask(AdminClient client) throws AdminClient.Failure {
        AdminClient.Answer answer = client.get("/api/v1/admin/queue/messages/" + id);
        if (answer.status() == 404 && answer.body().has("type")) {
            err().println(spec.qualifiedName(" ") + ": " + client.where() + " knows no message " + id + ": "
                          + LogText.oneLine(answer.body().path("detail").asText(), 300));
            return 1;
        }
        if (answer.status() != 200) {
            throw client.refused(answer, QueueCommand.NO_ADMIN_API);
        }
        JsonNode body = answer.body();
        if (json) {
            printJson(body);
            return 0;
        }
        print(body);
        return 0;
    }

    private void print(JsonNode body) {
        JsonNode envelope = body.path("envelope");
        List<String> to = new ArrayList<>();
        envelope.path("to").forEach(r -> to.add(shown(r, 320)));
        out().println("message   " + shown(body.path("id"), 64));
        out().println("from      " + (envelope.path("from").asText("").isEmpty() ? "<>" : shown(envelope.path("from"), 320)));
        out().println("to        " + String.join(", ", to));
        out().println("size      " + body.path("size").asLong() + " bytes");
        String queue = body.path("queue").isTextual() ? shown(body.path("queue"), 20) : "none (not on a queue)";
        out().println("queue     " + queue + (body.path("deferredUntil").isTextual()
                ? ", next attempt " + AdminClient.time(body.path("deferredUntil")) : ""));

        out().println();
        out().println("headers");
        for (JsonNode header : body.path("headers")) {
            out().println("  " + shown(header.path("name"), 100) + ": " + shown(header.path("value"), 1000));
        }

        out().println();
        out().println("attempts");
        List<JsonNode> attempts = new ArrayList<>();
        JsonNode ledger = body.path("ledger");
        for (JsonNode recipient : ledger.path("recipients")) {
            for (JsonNode attempt : recipient.path("history")) {
                attempts.add(((com.fasterxml.jackson.databind.node.ObjectNode) attempt.deepCopy()).put("address", recipient.path("address").asText()));
            }
        }
        attempts.sort(Comparator.comparing((JsonNode a) -> a.path("at").asText())
                .thenComparingInt(a -> a.path("attempt").asInt()));
        if (!ledger.isObject()) {
            out().println("  (the ledger is off, or does not know this message)");
        } else if (attempts.isEmpty()) {
            out().println("  none yet");
        }
        for (JsonNode a : attempts) {
            JsonNode code = a.path("replyCode");
            out().println("  " + AdminClient.time(a.path("at")) + "  #" + a.path("attempt").asInt() + "  "
                          + shown(a.path("address"), 320) + "  " + shown(a.path("outcome"), 20)
                          + (code.isNumber() ? "  " + code.asInt() : "")
                          + (a.path("replyStatus").isTextual() ? " " + shown(a.path("replyStatus"), 16) : "")
                          + (a.path("replyText").isTextual() ? " " + shown(a.path("replyText"), 500) : "")
                          + "  (" + shown(a.path("transport"), 20)
                          + (a.path("relay").isTextual() ? " " + shown(a.path("relay"), 300) : "")
                          + ", " + a.path("durationMs").asLong() + " ms)");
        }

        out().println();
        JsonNode preview = body.path("preview");
        if (!preview.isObject()) {
            out().println("preview   none");
            return;
        }
        out().println("preview (" + shown(preview.path("contentType"), 100) + ")");
        String[] lines = preview.path("text").asText("").split("\r\n|\r|\n", -1);
        for (int i = 0; i < lines.length && i < PREVIEW_LINES; i++) {
            out().println("  " + LogText.oneLine(lines[i], 1000));
        }
        if (lines.length > PREVIEW_LINES || preview.path("truncated").asBoolean()) {
            out().println("  ... (truncated)");
        }
    }

    private static String shown(JsonNode value, int max) {
        return LogText.oneLine(value.isNull() || value.isMissingNode() ? "" : value.asText(), max);
    }
}
