package dev.mailroute.accept;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.mail.internet.InternetAddress;

/**
 * Reads a merge request — one template and its recipients, each with {@code to} (and {@code cc},
 * {@code bcc}) and {@code variables} — into one {@link MailRequest} per recipient, the template's
 * subject, text and html rendered with that recipient's variables ({@link MergeTemplate}). The
 * attachments are decoded once and shared. A problem with the template refuses the whole request;
 * a problem with one recipient (an address, a variable it lacks) is that recipient's, named by its
 * index. With a client key K, recipient i gets the key {@code K#i}: a repeated request is answered
 * with the same ids, and nothing is queued twice.
 */
public final class MergeRequestReader {

    private static final Set<String> RECIPIENT_FIELDS = Set.of("to", "cc", "bcc", "variables");

    private final JsonMailRequestReader reader;
    private final int maxRecipients;

    public MergeRequestReader(long maxBytes, int maxRecipients) {
        this.reader = new JsonMailRequestReader(maxBytes);
        this.maxRecipients = maxRecipients;
    }

    /** One recipient's outcome: its request, or why it has none. */
    public record Item(MailRequest request, RejectedMessageException problems) {
    }

    /**
     * @param key the client key the ingress was given (HTTP Idempotency-Key), or null; it wins over the JSON id
     * @throws RejectedMessageException when the template itself is wrong, or there are no recipients or too many
     */
    public List<Item> read(byte[] json, String key) throws RejectedMessageException {
        JsonNode root = reader.object(json);
        Problems problems = new Problems();
        MailRequest template = reader.template(root, problems);
        JsonNode recipients = root.get("recipients");
        if (recipients == null || recipients.isNull() || (recipients.isArray() && recipients.isEmpty())) {
            problems.add("recipients", "missing; give one {\"to\": ..., \"variables\": {...}} per message");
        } else if (!recipients.isArray()) {
            problems.add("recipients", "must be an array, got " + JsonMailRequestReader.typeOf(recipients));
        } else if (recipients.size() > maxRecipients) {
            problems.add("recipients", "has " + recipients.size() + " recipients; at most " + maxRecipients
                                       + " in one request (mailroute.merge.maxRecipients)");
        }
        Map<String, MergeTemplate> templates = new LinkedHashMap<>();
        put(templates, "subject", MergeTemplate.compile("subject", template.subject(), false, problems));
        put(templates, "text", MergeTemplate.compile("text", template.text(), false, problems));
        put(templates, "html", MergeTemplate.compile("html", template.html(), true, problems));
        String requestKey = key != null ? key : template.clientId();
        if (requestKey != null) {
            HeaderRules.clientKey(requestKey + "#" + Math.max(0, recipients == null ? 0 : recipients.size() - 1))
                    .ifPresent(reason -> problems.add("id", "with a recipient's number after it, " + reason));
        }
        problems.throwIfAny();

        List<Item> items = new ArrayList<>(recipients.size());
        for (int i = 0; i < recipients.size(); i++) {
            items.add(item(template, templates, recipients.get(i), i, requestKey));
        }
        return items;
    }

    private static void put(Map<String, MergeTemplate> templates, String field, MergeTemplate template) {
        if (template != null) {
            templates.put(field, template);
        }
    }

    private static Item item(MailRequest template, Map<String, MergeTemplate> templates, JsonNode node, int index,
                             String requestKey) {
        String path = "recipients[" + index + "]";
        Problems problems = new Problems();
        if (!node.isObject()) {
            problems.add(path, "must be an object with to, cc, bcc and variables, got "
                               + JsonMailRequestReader.typeOf(node));
            return new Item(null, problems.rejection());
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!RECIPIENT_FIELDS.contains(name)) {
                problems.add(path + "." + name, "unknown field; the fields are to, cc, bcc, variables");
            }
        }
        List<InternetAddress> to = JsonMailRequestReader.addresses(path + ".to", node.get("to"), problems);
        List<InternetAddress> cc = JsonMailRequestReader.addresses(path + ".cc", node.get("cc"), problems);
        List<InternetAddress> bcc = JsonMailRequestReader.addresses(path + ".bcc", node.get("bcc"), problems);
        if (to.isEmpty() && cc.isEmpty() && bcc.isEmpty() && !problems.any()) {
            problems.add(path + ".to", "no recipients; give at least one address in to, cc or bcc");
        }
        Map<String, String> variables = variables(path + ".variables", node.get("variables"), problems);
        Map<String, String> rendered = new LinkedHashMap<>();
        for (Map.Entry<String, MergeTemplate> field : templates.entrySet()) {
            for (String name : field.getValue().names()) {
                if (!variables.containsKey(name)) {
                    problems.add(path + ".variables." + name, "missing; the " + field.getKey() + " uses {{" + name
                                                              + "}}");
                }
            }
        }
        if (problems.any()) {
            return new Item(null, problems.rejection());
        }
        for (Map.Entry<String, MergeTemplate> field : templates.entrySet()) {
            rendered.put(field.getKey(), field.getValue().render(variables));
        }
        String subject = rendered.getOrDefault("subject", template.subject());
        HeaderRules.lineBreak(subject == null ? "" : subject).ifPresent(reason -> problems.add(path + ".variables",
                "the subject they make " + reason));
        if (problems.any()) {
            return new Item(null, problems.rejection());
        }
        return new Item(new MailRequest(requestKey == null ? null : requestKey + "#" + index, template.from(),
                template.sender(), template.envelopeFrom(), to, cc, bcc, template.replyTo(), template.readReceiptTo(),
                subject, rendered.getOrDefault("text", template.text()), rendered.getOrDefault("html", template.html()),
                template.headers(), template.attachments(), template.priority(), template.dsn()), null);
    }

    /** Names to values; a number or true/false is written as JSON writes it. */
    private static Map<String, String> variables(String path, JsonNode node, Problems problems) {
        Map<String, String> variables = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return variables;
        }
        if (!node.isObject()) {
            problems.add(path, "must be an object of name to value, got " + JsonMailRequestReader.typeOf(node));
            return variables;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode value = entry.getValue();
            if (value.isTextual() || value.isNumber() || value.isBoolean()) {
                variables.put(entry.getKey(), value.asText());
            } else if (!value.isNull()) {
                problems.add(path + "." + entry.getKey(), "must be a string, a number or true/false, got "
                                                          + JsonMailRequestReader.typeOf(value));
            }
        }
        return variables;
    }
}
