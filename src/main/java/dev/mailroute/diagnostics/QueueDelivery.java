package dev.mailroute.diagnostics;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.mailroute.observability.LogText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code queue suspend [--relay NAME]} and {@code queue resume [--relay NAME]}: stops and restarts
 * delivery as a whole, or through one relay while the others go on — messages are still taken and
 * queued meanwhile.
 */
@Command(name = "delivery")
final class QueueDelivery extends QueueVerb {

    /** suspend or resume: the last word of the API's path. */
    private final String verb;

    @Option(names = "--relay", paramLabel = "NAME", description = "only through this relay (docs/routing.md);"
            + " resume without it resumes every relay")
    String relay;

    QueueDelivery(String verb, Map<String, String> overrides, Function<String, String> environment) {
        super(overrides, environment);
        this.verb = verb;
    }

    @Override
    int ask(AdminClient client) throws AdminClient.Failure {
        AdminClient.Answer answer = client.post("/api/v1/admin/delivery/" + verb
                + (relay == null ? "" : "?relay=" + URLEncoder.encode(relay, StandardCharsets.UTF_8)),
                JsonNodeFactory.instance.objectNode());
        if (answer.status() != 200) {
            throw client.refused(answer, QueueCommand.NO_ADMIN_API);
        }
        if (json) {
            printJson(answer.body());
        } else {
            out().println("delivery " + (relay == null ? "" : "through relay " + LogText.oneLine(relay, 32) + " ")
                          + LogText.oneLine(answer.body().path("delivery").asText(), 20));
        }
        return 0;
    }
}
