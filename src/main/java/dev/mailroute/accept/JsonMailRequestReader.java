package dev.mailroute.accept;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.ParseException;

/**
 * Reads the JSON mail request. It walks the JSON tree itself rather than binding it, so that one
 * pass reports every wrong field, wrong type and bad value with its path, instead of stopping at
 * the first.
 */
public final class JsonMailRequestReader {

    private static final Set<String> FIELDS = Set.of("id", "from", "to", "cc", "bcc", "replyTo", "subject", "text",
            "html", "headers", "attachments", "priority");

    /** Headers that the request sets through its own fields, or that mailroute owns. */
    private static final Set<String> RESERVED_HEADERS = Set.of("from", "sender", "to", "cc", "bcc", "reply-to",
            "subject", "date", "message-id", "mime-version", "x-sender", "x-receiver", "x-priority", "importance",
            "priority", "received", "return-path");

    private final JsonMapper mapper;

    /** @param maxBytes mailroute.message.maxBytes: no string in a request can be longer, nor the whole request */
    public JsonMailRequestReader(long maxBytes) {
        this.mapper = mapper(maxBytes);
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

    public MailRequest read(byte[] json) throws RejectedMessageException {
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw invalidJson(e);
        } catch (IOException e) {
            throw new RejectedMessageException("$", "could not be read: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new RejectedMessageException("$", "is empty; send a JSON object");
        }
        if (!root.isObject()) {
            throw new RejectedMessageException("$", "must be a JSON object, got " + typeOf(root));
        }

        Problems problems = new Problems();
        for (Iterator<String> names = root.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                problems.add(name, "unknown field; the fields are " + String.join(", ", sortedFields()));
            }
        }

        String clientId = id(root.get("id"), problems);
        InternetAddress from = from(root.get("from"), problems);
        List<InternetAddress> to = addresses("to", root.get("to"), problems);
        List<InternetAddress> cc = addresses("cc", root.get("cc"), problems);
        List<InternetAddress> bcc = addresses("bcc", root.get("bcc"), problems);
        List<InternetAddress> replyTo = addresses("replyTo", root.get("replyTo"), problems);
        if (isAbsent(root.get("to")) && isAbsent(root.get("cc")) && isAbsent(root.get("bcc"))) {
            problems.add("to", "no recipients; give at least one address in to, cc or bcc");
        }
        String subject = headerText("subject", root.get("subject"), problems);
        String text = string("text", root.get("text"), problems);
        String html = string("html", root.get("html"), problems);
        Map<String, String> headers = headers(root.get("headers"), problems);
        List<MailRequest.Attachment> attachments = attachments(root.get("attachments"), problems);
        MailRequest.Priority priority = priority(root.get("priority"), problems);

        problems.throwIfAny();
        return new MailRequest(clientId, from, to, cc, bcc, replyTo, subject, text, html, headers, attachments,
                priority);
    }

    private static String id(JsonNode node, Problems problems) {
        String id = string("id", node, problems);
        if (id == null) {
            return null;
        }
        Optional<String> problem = HeaderRules.clientKey(id);
        problem.ifPresent(reason -> problems.add("id", reason));
        return problem.isPresent() ? null : id;
    }

    private static InternetAddress from(JsonNode node, Problems problems) {
        if (node == null || node.isNull()) {
            problems.add("from", "missing; give the sender, e.g. \"Alerts <alerts@example.com>\"");
            return null;
        }
        String value = string("from", node, problems);
        return value == null ? null : HeaderRules.mailbox("from", value, problems);
    }

    /** A recipient field is one address as a string, or an array of them. */
    private static List<InternetAddress> addresses(String field, JsonNode node, Problems problems) {
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

    /** No address given at all, as opposed to addresses given that are wrong (reported on their own). */
    private static boolean isAbsent(JsonNode node) {
        return node == null || node.isNull() || (node.isArray() && node.isEmpty());
    }

    private static void add(List<InternetAddress> list, InternetAddress address) {
        if (address != null) {
            list.add(address);
        }
    }

    private static String headerText(String field, JsonNode node, Problems problems) {
        String value = string(field, node, problems);
        if (value != null) {
            HeaderRules.lineBreak(value).ifPresent(reason -> problems.add(field, reason));
        }
        return value;
    }

    private static String string(String field, JsonNode node, Problems problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            problems.add(field, "must be a string, got " + typeOf(node));
            return null;
        }
        return node.textValue();
    }

    private static Map<String, String> headers(JsonNode node, Problems problems) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return headers;
        }
        if (!node.isObject()) {
            problems.add("headers", "must be an object of header name to value, got " + typeOf(node));
            return headers;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            String name = entry.getKey();
            String path = "headers." + name;
            if (!HeaderRules.isFieldName(name)) {
                problems.add(path, "is not a valid header name (printable ASCII, no spaces or colons)");
                continue;
            }
            if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))
                || name.toLowerCase(Locale.ROOT).startsWith("content-")) {
                problems.add(path, "is set by mailroute or by a request field, not in headers");
                continue;
            }
            String value = headerText(path, entry.getValue(), problems);
            if (value != null) {
                headers.put(name, value);
            }
        }
        return headers;
    }

    private static List<MailRequest.Attachment> attachments(JsonNode node, Problems problems) {
        List<MailRequest.Attachment> result = new ArrayList<>();
        if (node == null || node.isNull()) {
            return result;
        }
        if (!node.isArray()) {
            problems.add("attachments", "must be an array, got " + typeOf(node));
            return result;
        }
        for (int i = 0; i < node.size(); i++) {
            String path = "attachments[" + i + "]";
            JsonNode item = node.get(i);
            if (!item.isObject()) {
                problems.add(path, "must be an object with filename, contentType and content, got " + typeOf(item));
                continue;
            }
            for (Iterator<String> names = item.fieldNames(); names.hasNext();) {
                String name = names.next();
                if (!Set.of("filename", "contentType", "content").contains(name)) {
                    problems.add(path + "." + name, "unknown field; the fields are filename, contentType, content");
                }
            }
            JsonNode filenameNode = item.get("filename");
            String filename = headerText(path + ".filename", filenameNode, problems);
            if (filenameNode == null || filenameNode.isNull() || (filename != null && filename.isBlank())) {
                problems.add(path + ".filename", "missing; give the name the recipient sees, e.g. report.pdf");
            }
            String contentType = contentType(path + ".contentType", item.get("contentType"), problems);
            byte[] content = base64(path + ".content", item.get("content"), problems);
            if (filename != null && !filename.isBlank() && content != null && contentType != null) {
                result.add(new MailRequest.Attachment(filename, contentType, content));
            }
        }
        return result;
    }

    private static String contentType(String field, JsonNode node, Problems problems) {
        if (node == null || node.isNull()) {
            return "application/octet-stream";
        }
        String value = headerText(field, node, problems);
        if (value == null || HeaderRules.lineBreak(value).isPresent()) {
            return null;
        }
        ContentType type;
        try {
            type = new ContentType(value);
        } catch (ParseException e) {
            problems.add(field, "'" + value + "' is not a MIME type such as application/pdf");
            return null;
        }
        String primary = type.getPrimaryType().toLowerCase(Locale.ROOT);
        if (primary.equals("multipart") || primary.equals("message")) {
            // its content would be read as MIME structure of its own: parts and headers the request did not declare
            problems.add(field, "'" + value + "' is a container type; an attachment is one file of a single-part"
                                + " type such as application/pdf (send a message as application/octet-stream)");
            return null;
        }
        return value;
    }

    /** Standard base64; line breaks and spaces are allowed between groups, anything else is not. */
    private static byte[] base64(String field, JsonNode node, Problems problems) {
        if (node == null || node.isNull()) {
            problems.add(field, "missing; give the file's bytes as base64");
            return null;
        }
        String value = string(field, node, problems);
        if (value == null) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(value.replaceAll("[ \\t\\r\\n]", ""));
        } catch (IllegalArgumentException e) {
            problems.add(field, "is not valid base64 (" + e.getMessage() + ")");
            return null;
        }
    }

    private static MailRequest.Priority priority(JsonNode node, Problems problems) {
        String value = string("priority", node, problems);
        if (value == null) {
            return MailRequest.Priority.NORMAL;
        }
        return switch (value) {
            case "high" -> MailRequest.Priority.HIGH;
            case "normal" -> MailRequest.Priority.NORMAL;
            case "low" -> MailRequest.Priority.LOW;
            default -> {
                problems.add("priority", "'" + value + "' is not one of high, normal, low");
                yield MailRequest.Priority.NORMAL;
            }
        };
    }

    private static String typeOf(JsonNode node) {
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

    private static List<String> sortedFields() {
        return FIELDS.stream().sorted().toList();
    }
}
