package dev.mailroute.ingress.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroute.accept.Problem;
import dev.mailroute.ledger.MessageFilter;
import dev.mailroute.queue.MessageSelectors;

/**
 * The body of {@code POST /api/v1/admin/queue/{operation}}, read and checked: exactly one of
 * {@code {"id": ..}}, {@code {"filter": {..}}} (at least one of the ledger's search fields) or
 * {@code {"all": "ALL"}} — an empty filter never means everything — and an optional
 * {@code "dryRun": true}. Every field that is unknown or wrong is named, all of them in one answer.
 *
 * @param id one message, or null
 * @param filter the ledger's search fields, or null
 * @param all every message on the queue
 * @param shown what was selected, for the audit line: {@code ALL}, {@code id=..} or {@code sender=.. since=..}
 */
record OperationRequest(String id, MessageFilter filter, boolean all, boolean dryRun, boolean notifySender,
                        String shown) {

    static final int MAX_BODY = 16 * 1024;
    private static final Set<String> FIELDS = Set.of("id", "filter", "all", "dryRun", "notifySender");
    private static final List<String> FILTER_FIELDS = List.of("sender", "recipient", "messageId", "ingress", "since",
            "until");

    static OperationRequest read(byte[] body, ObjectMapper mapper, LongSupplier clock) throws HttpProblemException {
        JsonNode json;
        try {
            json = body.length == 0 ? null : mapper.readTree(body);
        } catch (JsonProcessingException e) {
            throw invalid(List.of(new Problem("$", "is not JSON: " + SearchParameters.shown(e.getOriginalMessage(), 200))));
        } catch (java.io.IOException e) {
            throw invalid(List.of(new Problem("$", "cannot be read: " + SearchParameters.shown(e.getMessage(), 200))));
        }
        if (json == null || !json.isObject()) {
            throw invalid(List.of(new Problem("$", "must be a JSON object: {\"id\": ..}, {\"filter\": {..}} or"
                                                   + " {\"all\": \"ALL\"}, with \"dryRun\": true to count only")));
        }
        List<Problem> problems = new ArrayList<>();
        Set<String> unknown = new TreeSet<>();
        json.fieldNames().forEachRemaining(unknown::add);
        unknown.removeAll(FIELDS);
        for (String name : unknown) {
            problems.add(new Problem(SearchParameters.shown(name, 64), "unknown field; the fields are all, dryRun,"
                                                                       + " filter, id, notifySender"));
        }
        int targets = (json.has("id") ? 1 : 0) + (json.has("filter") ? 1 : 0) + (json.has("all") ? 1 : 0);
        if (targets != 1) {
            problems.add(new Problem("$", targets == 0 ? "says no messages: give id, filter or all (\"ALL\")"
                    : "gives " + targets + " of id, filter and all; give exactly one"));
        }
        boolean dryRun = false;
        if (json.has("dryRun")) {
            if (json.get("dryRun").isBoolean()) {
                dryRun = json.get("dryRun").booleanValue();
            } else {
                problems.add(new Problem("dryRun", "must be true or false"));
            }
        }
        boolean notifySender = false;
        if (json.has("notifySender")) {
            if (!json.get("notifySender").isBoolean()) {
                problems.add(new Problem("notifySender", "must be true or false"));
            } else if (json.get("notifySender").booleanValue() && json.has("all")) {
                problems.add(new Problem("notifySender", "tells the senders of messages named by id or filter, not"
                                                         + " of ALL"));
            } else {
                notifySender = json.get("notifySender").booleanValue();
            }
        }
        String id = null;
        MessageFilter filter = null;
        boolean all = false;
        String shown = "";
        if (targets == 1 && json.has("id")) {
            JsonNode value = json.get("id");
            if (!value.isTextual() || !MessageSelectors.isId(value.textValue())) {
                problems.add(new Problem("id", "must be a mailroute id (a UUID such as"
                                               + " 0b6a3c1e-2f4d-4c8a-9e1b-5d7f3a2c4e6b, the id of a 202)"));
            } else {
                id = value.textValue();
                shown = "id=" + id;
            }
        } else if (targets == 1 && json.has("all")) {
            if (!"ALL".equals(json.get("all").textValue())) {
                problems.add(new Problem("all", "must be the word \"ALL\", to say that every message is meant"));
            } else {
                all = true;
                shown = "ALL";
            }
        } else if (targets == 1) {
            Filter read = filter(json.get("filter"), problems, clock);
            filter = read == null ? null : read.filter();
            shown = read == null ? "" : read.shown();
        }
        if (!problems.isEmpty()) {
            throw invalid(problems);
        }
        return new OperationRequest(id, filter, all, dryRun, notifySender, shown);
    }

    private record Filter(MessageFilter filter, String shown) {
    }

    /** The filter's fields, checked as the search's parameters are (the same fields, the same rules). */
    private static Filter filter(JsonNode node, List<Problem> problems, LongSupplier clock) {
        if (node == null || !node.isObject()) {
            problems.add(new Problem("filter", "must be an object of the search's fields: "
                                               + String.join(", ", FILTER_FIELDS)));
            return null;
        }
        StringJoiner query = new StringJoiner("&");
        StringJoiner shown = new StringJoiner(" ");
        int before = problems.size();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!FILTER_FIELDS.contains(field.getKey())) {
                problems.add(new Problem("filter." + SearchParameters.shown(field.getKey(), 64),
                        "unknown field; the filter's fields are " + String.join(", ", FILTER_FIELDS)));
            } else if (!field.getValue().isTextual()) {
                problems.add(new Problem("filter." + field.getKey(), "must be a string"));
            } else {
                query.add(field.getKey() + "=" + URLEncoder.encode(field.getValue().textValue(), StandardCharsets.UTF_8));
                shown.add(field.getKey() + "=" + field.getValue().textValue());
            }
        }
        if (problems.size() > before) {
            return null;
        }
        if (query.length() == 0) {
            problems.add(new Problem("filter", "is empty; an empty filter never means every message: give at least one"
                                               + " of " + String.join(", ", FILTER_FIELDS) + ", or {\"all\": \"ALL\"}"));
            return null;
        }
        try {
            return new Filter(SearchParameters.read(query.toString(), null, clock).filter(), shown.toString());
        } catch (HttpProblemException e) {
            e.problems().forEach(p -> problems.add(new Problem("filter." + p.field(), p.reason())));
            return null;
        }
    }

    static HttpProblemException invalid(List<Problem> problems) {
        String detail = (problems.size() == 1 ? "1 problem: " : problems.size() + " problems: ")
                        + String.join("; ", problems.stream().map(Problem::toString).toList());
        return new HttpProblemException(400, HttpAnswers.TYPE_INVALID, "Invalid operation", detail, problems);
    }
}
