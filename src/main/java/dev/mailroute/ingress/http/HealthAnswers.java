package dev.mailroute.ingress.http;

import java.util.Collection;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.observability.AdvisoryHealthCheck;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

/**
 * {@code /observe/health}, {@code /observe/health/live}, {@code /observe/health/ready}: Camel's
 * health checks (mailroute's own and Camel's route and consumer checks), answered by the HTTP
 * server itself — so that they answer, with 503, while mailroute is still starting — and open to
 * probes without an API key. 200 when every check is up, 503 otherwise; each check with its name,
 * state (WARNING for a check that is up but behind, such as the ledger), and message when it has one. Errors are not shown: the log has them.
 */
final class HealthAnswers {

    enum Kind { ALL, LIVENESS, READINESS }

    private final CamelContext context;
    private final Vertx vertx;
    private final ObjectMapper mapper = new ObjectMapper();

    HealthAnswers(CamelContext context, Vertx vertx) {
        this.context = context;
        this.vertx = vertx;
    }

    /** A handler for the given kind; the checks run on a worker thread (they connect to the broker and the relay). */
    void answer(RoutingContext routing, Kind kind) {
        vertx.executeBlocking(() -> body(kind), false).onComplete(done -> {
            ObjectNode body = done.succeeded() ? done.result() : down("health", "the checks failed: " + done.cause());
            routing.response().setStatusCode("UP".equals(body.get("status").asText()) ? 200 : 503)
                    .putHeader("Content-Type", "application/json").end(body.toString());
        });
    }

    private ObjectNode body(Kind kind) {
        if (!context.getStatus().isStarted()) {
            return down("context", "mailroute is " + context.getStatus().name().toLowerCase(java.util.Locale.ROOT));
        }
        Collection<HealthCheck.Result> results = switch (kind) {
            case ALL -> HealthCheckHelper.invoke(context);
            case LIVENESS -> HealthCheckHelper.invokeLiveness(context);
            case READINESS -> HealthCheckHelper.invokeReadiness(context);
        };
        ObjectNode body = mapper.createObjectNode();
        boolean up = results.stream().noneMatch(r -> r.getState() == HealthCheck.State.DOWN);
        body.put("status", up ? "UP" : "DOWN");
        ArrayNode checks = body.putArray("checks");
        for (HealthCheck.Result result : results) {
            // a check that is up but says "warning" (the ledger behind) is shown as such; it never
            // turns the answer to 503, because mail still flows
            boolean warning = result.getState() == HealthCheck.State.UP
                              && Boolean.TRUE.equals(result.getDetails().get(AdvisoryHealthCheck.WARNING));
            ObjectNode check = checks.addObject().put("name", result.getCheck().getId())
                    .put("status", warning ? "WARNING" : result.getState().name());
            result.getMessage().ifPresent(message -> check.put("message", message));
            ObjectNode details = mapper.createObjectNode();
            for (Map.Entry<String, Object> detail : result.getDetails().entrySet()) {
                if (!HealthCheckHelper.isReservedKey(detail.getKey()) && !AdvisoryHealthCheck.WARNING.equals(detail.getKey())) {
                    details.put(detail.getKey(), String.valueOf(detail.getValue()));
                }
            }
            if (!details.isEmpty()) {
                check.set("details", details);
            }
        }
        return body;
    }

    private ObjectNode down(String name, String message) {
        ObjectNode body = mapper.createObjectNode().put("status", "DOWN");
        body.putArray("checks").addObject().put("name", name).put("status", "DOWN").put("message", message);
        return body;
    }
}
