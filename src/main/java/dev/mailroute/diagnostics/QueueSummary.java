package dev.mailroute.diagnostics;

import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailroute.observability.LogText;
import picocli.CommandLine.Command;

/** {@code queue summary}: how many messages wait in each queue, since when, and whether delivery runs. */
@Command(name = "summary", description = {"How many messages wait in each queue (outbound, of them deferred; held;"
        + " failed), the oldest one's acceptance time, whether delivery runs, how many messages a minute this"
        + " instance delivered over the last minute, and the relay's circuit.",
        "Exit code 0, or 2 when the instance cannot be asked."})
final class QueueSummary extends QueueVerb {

    QueueSummary(Map<String, String> overrides, Function<String, String> environment) {
        super(overrides, environment);
    }

    @Override
    int ask(AdminClient client) throws AdminClient.Failure {
        AdminClient.Answer answer = client.get("/api/v1/admin/queue");
        if (answer.status() != 200) {
            throw client.refused(answer, QueueCommand.NO_ADMIN_API);
        }
        JsonNode body = answer.body();
        if (json) {
            printJson(body);
            return 0;
        }
        JsonNode queues = body.path("queues");
        out().println("outbound " + queues.path("outbound").asLong() + " (deferred " + queues.path("deferred").asLong()
                      + "), held " + queues.path("held").asLong() + ", failed " + queues.path("failed").asLong());
        out().println(body.path("oldestAcceptedAt").isTextual()
                ? "oldest accepted " + AdminClient.time(body.path("oldestAcceptedAt")) : "nothing queued");
        out().println("delivery " + LogText.oneLine(body.path("delivery").asText(), 20) + " ("
                      + body.path("deliveredPerMinute").asDouble() + " delivered/min), circuit "
                      + LogText.oneLine(body.path("circuit").asText(), 20));
        return 0;
    }
}
