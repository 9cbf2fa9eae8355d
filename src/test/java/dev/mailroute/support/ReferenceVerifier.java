package dev.mailroute.support;

import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Standard Webhooks reference verifier — the {@code standardwebhooks} package from npm, run
 * with Node (test-tools/webhook-verifier, installed by test-tools/install.sh) — so that
 * mailroute's signatures are checked by code that is not mailroute's.
 */
public final class ReferenceVerifier {

    private static final Path SCRIPT = Path.of("test-tools", "webhook-verifier", "verify.mjs").toAbsolutePath();

    private ReferenceVerifier() {
    }

    /** For each request, "ok" or the library's reason for refusing it, with this secret. */
    public static List<String> verify(String secret, List<WebhookReceiver.Request> requests) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ArrayNode input = mapper.createArrayNode();
        for (WebhookReceiver.Request r : requests) {
            ObjectNode item = input.addObject();
            item.put("secret", secret);
            item.put("id", r.id());
            item.put("timestamp", r.timestamp());
            item.put("signature", r.signature());
            item.put("body", r.body());
        }
        Tools.Result result = Tools.run(List.of(Tools.require("node", "nodejs"), SCRIPT.toString()),
                mapper.writeValueAsString(input), 60);
        if (result.exit() != 0) {
            throw new IllegalStateException("the reference verifier failed: " + result.output());
        }
        ArrayNode answers = (ArrayNode) mapper.readTree(result.output());
        return mapper.convertValue(answers, mapper.getTypeFactory().constructCollectionType(List.class, String.class));
    }
}
