package dev.mailroute.ingress.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.accept.MessageTooLargeException;
import dev.mailroute.accept.Problem;
import dev.mailroute.accept.RejectedMessageException;
import dev.mailroute.accept.SenderRefusedException;
import dev.mailroute.message.MessageHeaders;
import jakarta.jms.JMSException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API's answers: {@code 202 {"id", "status": "queued"}} once a message is on the queue,
 * a result per item for a batch, and RFC 9457 problem details for everything else. Each answer
 * replaces all headers, so nothing from the request or the queue leaks into the response.
 */
public final class HttpAnswers {

    static final String TYPE_INVALID = "urn:mailroute:problem:invalid-request";
    static final String TYPE_TOO_LARGE = "urn:mailroute:problem:too-large";
    static final String TYPE_UNSUPPORTED = "urn:mailroute:problem:unsupported-media-type";
    static final String TYPE_UNAUTHORIZED = "urn:mailroute:problem:unauthorized";
    static final String TYPE_FORBIDDEN_SENDER = "urn:mailroute:problem:sender-not-allowed";
    static final String TYPE_UNAVAILABLE = "urn:mailroute:problem:queue-unavailable";
    static final String TYPE_STARTING = "urn:mailroute:problem:not-ready";
    static final String TYPE_BUSY = "urn:mailroute:problem:busy";
    static final String TYPE_INTERNAL = "urn:mailroute:problem:internal-error";
    static final String TYPE_NOT_FOUND = "urn:mailroute:problem:not-found";
    static final String TYPE_LEDGER_OFF = "urn:mailroute:problem:ledger-off";
    static final String TYPE_LEDGER_UNAVAILABLE = "urn:mailroute:problem:ledger-unavailable";
    static final String TYPE_ADMIN_ONLY = "urn:mailroute:problem:admin-only";
    static final String TYPE_TOO_MANY = "urn:mailroute:problem:too-many-matched";

    /** Where the status API shows a message: {@code Location} of a 202, {@code location} of a batch item. */
    static final String MESSAGES = "/api/v1/messages/";

    private static final Logger LOG = LoggerFactory.getLogger(HttpAnswers.class);

    private final ObjectMapper mapper = new ObjectMapper();
    private final String openApi = readOpenApi();

    public void accepted(Exchange exchange) {
        Message message = exchange.getMessage();
        ObjectNode body = mapper.createObjectNode();
        body.put("id", message.getHeader(MessageHeaders.ID, String.class));
        body.put("status", "queued");
        String id = message.getHeader(MessageHeaders.ID, String.class);
        answer(message, 202, "application/json", body);
        // where its story can be asked for (GET, with the same key)
        message.setHeader("Location", MESSAGES + id);
    }

    /** The body is the list of {@link BatchItemResult}s the split collected, in request order. */
    public void batch(Exchange exchange) {
        Message message = exchange.getMessage();
        @SuppressWarnings("unchecked")
        List<BatchItemResult> results = message.getBody(List.class);
        ObjectNode body = mapper.createObjectNode();
        ArrayNode items = body.putArray("results");
        Map<String, Integer> counts = new TreeMap<>(Map.of("queued", 0, "rejected", 0, "forbidden", 0,
                "unavailable", 0));
        for (BatchItemResult result : results) {
            ObjectNode item = items.addObject();
            item.put("index", result.index());
            item.put("status", result.status());
            if (result.id() != null) {
                item.put("id", result.id());
                item.put("location", MESSAGES + result.id());
            }
            if (!result.problems().isEmpty()) {
                item.set("errors", errors(result.problems()));
            }
            counts.merge(result.status(), 1, Integer::sum);
        }
        counts.forEach(body::put);
        answer(message, 200, "application/json", body);
    }

    /** Turns the exception a route caught into problem details. */
    public void problem(Exchange exchange) {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        ObjectNode problem = mapper.createObjectNode();
        int status;
        if (caught instanceof HttpProblemException http) {
            status = http.status();
            problem = problemOf(http);
        } else if (caught instanceof SenderRefusedException refused) {
            status = 403;
            problem.put("type", TYPE_FORBIDDEN_SENDER).put("title", "Sender not allowed")
                    .put("detail", refused.getMessage());
            problem.set("errors", errors(refused.problems()));
        } else if (caught instanceof MessageTooLargeException tooLarge) {
            status = 413;
            problem.put("type", TYPE_TOO_LARGE).put("title", "Request too large")
                    .put("detail", tooLarge.problems().get(0).reason());
        } else if (caught instanceof RejectedMessageException rejected) {
            status = 400;
            int count = rejected.problems().size();
            problem.put("type", TYPE_INVALID).put("title", "Invalid mail request")
                    .put("detail", (count == 1 ? "1 problem: " : count + " problems: ") + rejected.getMessage());
            problem.set("errors", errors(rejected.problems()));
        } else if (isQueueFailure(caught)) {
            status = 503;
            LOG.error("could not queue a message from HTTP: {}", String.valueOf(caught), caught);
            problem.put("type", TYPE_UNAVAILABLE).put("title", "Queue unavailable")
                    .put("detail", "the message was not accepted because the queue could not take it; "
                                   + "send it again later");
        } else {
            status = 500;
            LOG.error("could not accept a message from HTTP: {}", String.valueOf(caught), caught);
            problem.put("type", TYPE_INTERNAL).put("title", "Internal error")
                    .put("detail", "the message was not accepted: " + caught.getClass().getSimpleName()
                                   + "; the gateway log has the details");
        }
        problem.put("status", status);
        Message message = exchange.getMessage();
        answer(message, status, "application/problem+json", problem);
        if (status == 401) {
            message.setHeader("WWW-Authenticate", "Bearer realm=\"mailroute\"");
        } else if (status == 503) {
            message.setHeader("Retry-After", "30");
        }
    }

    /** The problem document of a refusal, without its status (the caller adds what it answers). */
    private ObjectNode problemOf(HttpProblemException http) {
        ObjectNode problem = mapper.createObjectNode();
        problem.put("type", http.type()).put("title", http.title()).put("detail", http.getMessage());
        if (!http.problems().isEmpty()) {
            problem.set("errors", errors(http.problems()));
        }
        return problem;
    }

    /** The body of an answer the HTTP server gives by itself, before a route runs (see ApiHttpServer). */
    String problemBody(HttpProblemException http) {
        return problemOf(http).put("status", http.status()).toString();
    }

    /** GET /api/v1/openapi.json */
    public void openApi(Exchange exchange) {
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(openApi);
    }

    private static String readOpenApi() {
        try (InputStream in = HttpAnswers.class.getResourceAsStream("/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** JMS (or Spring's wrapping of it) anywhere in the chain: the broker did not take the message. */
    private static boolean isQueueFailure(Throwable caught) {
        for (Throwable t = caught; t != null; t = t.getCause()) {
            if (t instanceof JMSException || t instanceof org.springframework.jms.JmsException) {
                return true;
            }
        }
        return false;
    }

    private ArrayNode errors(List<Problem> problems) {
        ArrayNode errors = mapper.createArrayNode();
        for (Problem problem : problems) {
            errors.addObject().put("field", problem.field()).put("reason", problem.reason());
        }
        return errors;
    }

    static void answer(Message message, int status, String contentType, ObjectNode body) {
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, contentType);
        message.setBody(body.toString());
    }
}
