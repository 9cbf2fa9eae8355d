package dev.mailroute.accept;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mailroute.message.Dsn;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.ParseException;

/**
 * Reads the JSON mail request. It walks the JSON tree itself rather than binding it, so that one
 * pass reports every wrong field, wrong type and bad value with its path, instead of stopping at
 * the first.
 */
public final class JsonMailRequestReader {

    private static final Set<String> FIELDS = Set.of("id", "from", "sender", "envelopeFrom", "to", "cc", "bcc",
            "replyTo", "readReceiptTo", "subject", "text", "html", "headers", "attachments", "priority", "notify",
            "returnContent");

    /** Headers that the request sets through its own fields, or that mailroute owns. */
    private static final Set<String> RESERVED_HEADERS = Set.of("from", "sender", "to", "cc", "bcc", "reply-to",
            "subject", "date", "message-id", "mime-version", "x-sender", "x-receiver", "x-priority", "importance",
            "priority", "received", "return-path", "disposition-notification-to");

    private static final Set<String> ATTACHMENT_FIELDS = Set.of("filename", "contentType", "content", "inline",
            "contentId");

    /** A cid: URL in the HTML (RFC 2392), up to the quote or bracket around it. */
    private static final Pattern CID = Pattern.compile("(?i)cid:([^\\s\"'<>()]+)");

    private final JsonMapper mapper;

    /** @param maxBytes mailroute.message.maxBytes: no string in a request can be longer, nor the whole request */
    public JsonMailRequestReader(long maxBytes) {
        this.mapper = JsonFields.mapper(maxBytes);
    }


    public MailRequest read(byte[] json) throws RejectedMessageException {
        return read(object(json));
    }

    /** An item of a batch, parsed with the batch: read as it is, not written and parsed again. */
    public MailRequest read(JsonNode item) throws RejectedMessageException {
        JsonNode root = object(item);
        Problems problems = new Problems();
        MailRequest request = fields(root, problems, false);
        problems.throwIfAny();
        return request;
    }

    /** The document as a JSON object, or the reason it is none. */
    JsonNode object(byte[] json) throws RejectedMessageException {
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw JsonFields.invalidJson(e);
        } catch (IOException e) {
            throw new RejectedMessageException("$", "could not be read: " + e.getMessage());
        }
        return object(root);
    }

    private static JsonNode object(JsonNode root) throws RejectedMessageException {
        if (root == null || root.isMissingNode()) {
            throw new RejectedMessageException("$", "is empty; send a JSON object");
        }
        if (!root.isObject()) {
            throw new RejectedMessageException("$", "must be a JSON object, got " + JsonFields.typeOf(root));
        }
        return root;
    }

    /**
     * A merge request's template: every field of a request but the recipients, which come per
     * recipient ({@link MergeRequestReader}); subject, text and html are read as written (they are
     * rendered later). The request it returns has no recipients.
     */
    MailRequest template(JsonNode root, Problems problems) {
        return fields(root, problems, true);
    }

    private MailRequest fields(JsonNode root, Problems problems, boolean template) {
        for (Iterator<String> names = root.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (template && Set.of("to", "cc", "bcc").contains(name)) {
                problems.add(name, "a merge request names its recipients in recipients[], each with to, cc, bcc"
                                   + " and variables");
            } else if (!FIELDS.contains(name) && !(template && name.equals("recipients"))) {
                problems.add(name, "unknown field; the fields are " + String.join(", ", sortedFields())
                                   + (template ? ", recipients" : ""));
            }
        }

        String clientId = id(root.get("id"), problems);
        InternetAddress from = from(root.get("from"), problems);
        InternetAddress sender = optionalMailbox("sender", root.get("sender"), problems);
        InternetAddress envelopeFrom = optionalMailbox("envelopeFrom", root.get("envelopeFrom"), problems);
        InternetAddress readReceiptTo = optionalMailbox("readReceiptTo", root.get("readReceiptTo"), problems);
        List<InternetAddress> to = JsonFields.addresses("to", root.get("to"), problems);
        List<InternetAddress> cc = JsonFields.addresses("cc", root.get("cc"), problems);
        List<InternetAddress> bcc = JsonFields.addresses("bcc", root.get("bcc"), problems);
        List<InternetAddress> replyTo = JsonFields.addresses("replyTo", root.get("replyTo"), problems);
        if (!template && isAbsent(root.get("to")) && isAbsent(root.get("cc")) && isAbsent(root.get("bcc"))) {
            problems.add("to", "no recipients; give at least one address in to, cc or bcc");
        }
        String subject = headerText("subject", root.get("subject"), problems);
        String text = JsonFields.string("text", root.get("text"), problems);
        String html = JsonFields.string("html", root.get("html"), problems);
        Map<String, String> headers = headers(root.get("headers"), problems);
        List<MailRequest.Attachment> attachments = attachments(root.get("attachments"), problems);
        MailRequest.Priority priority = priority(root.get("priority"), problems);
        Dsn dsn = new Dsn(notify(root.get("notify"), problems), returnContent(root.get("returnContent"), problems));
        inlineReferences(html, attachments, problems);
        return new MailRequest(clientId, from, sender, envelopeFrom, to, cc, bcc, replyTo, readReceiptTo, subject,
                text, html, headers, attachments, priority, dsn);
    }

    private static InternetAddress optionalMailbox(String field, JsonNode node, Problems problems) {
        String value = JsonFields.string(field, node, problems);
        return value == null ? null : HeaderRules.mailbox(field, value, problems);
    }

    /** "never", or any of "success", "failure", "delay" (a string or an array of them). */
    private static Set<Dsn.Notify> notify(JsonNode node, Problems problems) {
        if (node == null || node.isNull()) {
            return Set.of();
        }
        List<JsonNode> items = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(items::add);
        } else {
            items.add(node);
        }
        Set<Dsn.Notify> options = EnumSet.noneOf(Dsn.Notify.class);
        for (JsonNode item : items) {
            String value = item.isTextual() ? item.textValue().toLowerCase(Locale.ROOT) : null;
            switch (value == null ? "" : value) {
                case "never" -> options.add(Dsn.Notify.NEVER);
                case "success" -> options.add(Dsn.Notify.SUCCESS);
                case "failure" -> options.add(Dsn.Notify.FAILURE);
                case "delay" -> options.add(Dsn.Notify.DELAY);
                default -> problems.add("notify", (item.isTextual() ? "'" + item.textValue() + "'" : JsonFields.typeOf(item))
                                                  + " is not one of never, success, failure, delay");
            }
        }
        if (options.contains(Dsn.Notify.NEVER) && options.size() > 1) {
            problems.add("notify", "never cannot be combined with success, failure or delay");
        }
        return Set.copyOf(options);
    }

    private static Dsn.Ret returnContent(JsonNode node, Problems problems) {
        String value = JsonFields.string("returnContent", node, problems);
        if (value == null) {
            return null;
        }
        return switch (value) {
            case "full" -> Dsn.Ret.FULL;
            case "headers" -> Dsn.Ret.HDRS;
            default -> {
                problems.add("returnContent", "'" + value + "' is not one of full, headers");
                yield null;
            }
        };
    }

    /**
     * Inline parts are shown by the HTML: each {@code cid:} it references must be an inline part,
     * and each inline part must be referenced — a part nobody shows is a mistake the sender should
     * hear about, not an attachment the recipient wonders at.
     */
    private static void inlineReferences(String html, List<MailRequest.Attachment> attachments, Problems problems) {
        Map<String, Integer> inline = new LinkedHashMap<>();
        for (int i = 0; i < attachments.size(); i++) {
            MailRequest.Attachment attachment = attachments.get(i);
            if (attachment.inline()) {
                inline.put(attachment.contentId(), i);
            }
        }
        Set<String> referenced = new java.util.HashSet<>();
        if (html != null) {
            Matcher cid = CID.matcher(html);
            while (cid.find()) {
                String id = URLDecoder.decode(cid.group(1), StandardCharsets.UTF_8);
                referenced.add(id);
                if (!inline.containsKey(id)) {
                    problems.add("html", "references cid:" + id + ", but no inline attachment has that contentId");
                }
            }
        }
        for (Map.Entry<String, Integer> part : inline.entrySet()) {
            if (html == null) {
                problems.add("attachments[" + part.getValue() + "].inline", "an inline part is shown by the html;"
                                                                           + " give html, or make it an attachment");
            } else if (!referenced.contains(part.getKey())) {
                problems.add("attachments[" + part.getValue() + "].contentId", "'" + part.getKey()
                        + "' is not referenced from the html (src=\"cid:" + part.getKey() + "\")");
            }
        }
    }

    private static String id(JsonNode node, Problems problems) {
        String id = JsonFields.string("id", node, problems);
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
        String value = JsonFields.string("from", node, problems);
        return value == null ? null : HeaderRules.mailbox("from", value, problems);
    }


    /** No address given at all, as opposed to addresses given that are wrong (reported on their own). */
    private static boolean isAbsent(JsonNode node) {
        return node == null || node.isNull() || (node.isArray() && node.isEmpty());
    }


    private static String headerText(String field, JsonNode node, Problems problems) {
        String value = JsonFields.string(field, node, problems);
        if (value != null) {
            HeaderRules.lineBreak(value).ifPresent(reason -> problems.add(field, reason));
        }
        return value;
    }


    private static Map<String, String> headers(JsonNode node, Problems problems) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return headers;
        }
        if (!node.isObject()) {
            problems.add("headers", "must be an object of header name to value, got " + JsonFields.typeOf(node));
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
            problems.add("attachments", "must be an array, got " + JsonFields.typeOf(node));
            return result;
        }
        for (int i = 0; i < node.size(); i++) {
            String path = "attachments[" + i + "]";
            JsonNode item = node.get(i);
            if (!item.isObject()) {
                problems.add(path, "must be an object with filename, contentType and content, got " + JsonFields.typeOf(item));
                continue;
            }
            for (Iterator<String> names = item.fieldNames(); names.hasNext();) {
                String name = names.next();
                if (!ATTACHMENT_FIELDS.contains(name)) {
                    problems.add(path + "." + name, "unknown field; the fields are filename, contentType, content,"
                                                    + " inline, contentId");
                }
            }
            boolean inline = inline(path + ".inline", item.get("inline"), problems);
            String contentId = contentId(path + ".contentId", item.get("contentId"), inline, problems);
            if (inline && contentId != null && result.stream().anyMatch(a -> contentId.equals(a.contentId()))) {
                problems.add(path + ".contentId", "'" + contentId + "' is the contentId of an earlier part too;"
                                                  + " each inline part needs its own");
            }
            JsonNode filenameNode = item.get("filename");
            String filename = headerText(path + ".filename", filenameNode, problems);
            if (filenameNode == null || filenameNode.isNull() || (filename != null && filename.isBlank())) {
                problems.add(path + ".filename", "missing; give the name the recipient sees, e.g. report.pdf");
            }
            String contentType = contentType(path + ".contentType", item.get("contentType"), problems);
            byte[] content = base64(path + ".content", item.get("content"), problems);
            if (filename != null && !filename.isBlank() && content != null && contentType != null) {
                result.add(new MailRequest.Attachment(filename, contentType, content, inline, contentId));
            }
        }
        return result;
    }

    private static boolean inline(String field, JsonNode node, Problems problems) {
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            problems.add(field, "must be true or false, got " + JsonFields.typeOf(node));
            return false;
        }
        return node.booleanValue();
    }

    /** What the HTML writes after cid: — an id without angle brackets, spaces or quotes, e.g. logo or logo@example.com. */
    private static String contentId(String field, JsonNode node, boolean inline, Problems problems) {
        String value = JsonFields.string(field, node, problems);
        if (value == null) {
            if (inline) {
                problems.add(field, "missing; an inline part needs the id its html refers to, e.g. \"logo\" for"
                                    + " src=\"cid:logo\"");
            }
            return null;
        }
        if (!inline) {
            problems.add(field, "is for inline parts; add \"inline\": true, or leave contentId out");
            return null;
        }
        if (!value.matches("[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~.@]{1,200}")) {
            problems.add(field, "'" + value + "' is not a content id: letters, digits and .-_@ and the like, without"
                                + " angle brackets, spaces or quotes");
            return null;
        }
        return value;
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
        String value = JsonFields.string(field, node, problems);
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
        String value = JsonFields.string("priority", node, problems);
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




    private static List<String> sortedFields() {
        return FIELDS.stream().sorted().toList();
    }
}
