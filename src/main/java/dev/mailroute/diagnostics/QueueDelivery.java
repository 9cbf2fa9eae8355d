package dev.mailroute.diagnostics;

import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.mailroute.observability.LogText;
import picocli.CommandLine.Command;

/**
 * {@code queue suspend} and {@code queue resume}: stops and restarts delivery as a whole — messages
 * are still taken and queued meanwhile.
 */
@Command(name = "delivery")
final class QueueDelivery extends QueueVerb {

    /** suspend or resume: the last word of the API's path. */
    private final String verb;

    QueueDelivery(String verb, Map<String, String> overrides, Function<String, String> environment) {
        super(overrides, environment);
        this.verb = verb;
    }

    @Override
    int ask(AdminClient client) throws AdminClient.Failure {
        AdminClient.Answer answer = client.post("/api/v1/admin/delivery/" + verb,
                JsonNodeFactory.instance.objectNode());
        if (answer.status() != 200) {
            throw client.refused(answer, QueueCommand.NO_ADMIN_API);
        }
        if (json) {
            printJson(answer.body());
        } else {
            out().println("delivery " + LogText.oneLine(answer.body().path("delivery").asText(), 20));
        }
        return 0;
    }
}
