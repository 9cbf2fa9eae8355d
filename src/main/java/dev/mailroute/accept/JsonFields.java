package dev.mailroute.accept;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import jakarta.mail.internet.InternetAddress;

/**
 * Reading fields of a JSON document so that every problem is named by its path, not only the first:
 * Jackson's strict parser for requests, and the small readers the request and merge readers share
 * (a string, an address or a list of them, the name of a node's type). Jackson's data binding is not
 * used for the requests themselves because it stops at the first wrong field, and a client is told
 * every problem of its request at once.
 */
public final class JsonFields {

    private JsonFields() {
    }

    /**
     * The JSON parser every request goes through: duplicate fields and anything after the document
     * ({@code {...} trailing}, {@code {...}{...}}) are errors, not silently dropped; and its own
     * limits (Jackson's default: strings of at most 20,000,000 characters) follow the request size
     * limit, so a request within the limit is never refused by the parser with a message of its own.
     */
    public static JsonMapper mapper(long maxBytes) {
        int limit = (int) Math.min(Integer.MAX_VALUE, maxBytes);
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(limit)
                        .maxDocumentLength(maxBytes).build())
                .build();
        return JsonMapper.builder(factory)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    /** A recipient field is one address as a string, or an array of them. */
    static List<InternetAddress> addresses(String field, JsonNode node, Problems problems) {
        List<InternetAddress> result = new ArrayList<>();
        if (node == null || node.isNull()) {
            return result;
        }
        if (node.isTextual()) {
            add(result, HeaderRules.mailbox(field, node.textValue(), problems));
            return result;
        }
        if (!node.isArray()) {
            problems.add(field, "must be an address or an array of addresses, got " + typeOf(node));
            return result;
        }
        for (int i = 0; i < node.size(); i++) {
            String path = field + "[" + i + "]";
            JsonNode item = node.get(i);
            if (!item.isTextual()) {
                problems.add(path, "must be a string, got " + typeOf(item));
            } else {
                add(result, HeaderRules.mailbox(path, item.textValue(), problems));
            }
        }
        return result;
    }

    static void add(List<InternetAddress> list, InternetAddress address) {
        if (address != null) {
            list.add(address);
        }
    }

    static String string(String field, JsonNode node, Problems problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            problems.add(field, "must be a string, got " + typeOf(node));
            return null;
        }
        return node.textValue();
    }

    static String typeOf(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case STRING -> "a string";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    /** "$: not valid JSON: ... (line L, column C)", without Jackson's talk of its sources. */
    public static RejectedMessageException invalidJson(JsonProcessingException e) {
        if (e.getOriginalMessage().startsWith("Trailing token")) {
            return new RejectedMessageException("$", "not valid JSON: something follows the end of the document"
                                                     + locationOf(e) + "; send exactly one JSON document");
        }
        String message = e.getOriginalMessage().replaceAll("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)", "");
        return new RejectedMessageException("$", "not valid JSON: " + message + locationOf(e));
    }

    private static String locationOf(JsonProcessingException e) {
        if (e.getLocation() == null) {
            return "";
        }
        return " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
}
