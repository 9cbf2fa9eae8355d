package dev.mailroute.accept;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/**
 * Reads a merge request — one template and its recipients, each with {@code to} (and {@code cc},
 * {@code bcc}) and {@code variables} — into one {@link MailRequest} per recipient, the template's
 * subject, text and html rendered with that recipient's variables ({@link MergeTemplate}). The
 * attachments are decoded once and shared. A problem with the template refuses the whole request;
 * a problem with one recipient (an address, a variable it lacks) is that recipient's, named by its
 * index. With a client key K, recipient i gets the key {@code K#i}: a repeated request is answered
 * with the same ids, and nothing is queued twice.
 *
 * <p>Nothing a client sends is trusted to be small when rendered ({@link MergeBudget}): one
 * recipient's fields render to at most mailroute.message.maxBytes (or that recipient is refused),
 * all of them together to at most the request's share of memory (or the request is refused, 413).
 * The limit on recipients counts addresses, not entries: an entry's to, cc and bcc may name many,
 * and a group ({@code team: a@x, b@y;}) as many as it has members.
 */
public final class MergeRequestReader {

    private static final Set<String> RECIPIENT_FIELDS = Set.of("to", "cc", "bcc", "variables");

    private final JsonMailRequestReader reader;
    private final long maxBytes;
    private final int maxRecipients;
    private final long maxRendered;

    /**
     * @param maxBytes the largest message (mailroute.message.maxBytes): also the most one recipient's
     *                 subject, text and html may render to
     * @param maxRecipients the most addresses one request may send to (mailroute.merge.maxRecipients)
     * @param maxRendered the most all recipients' rendered fields may come to, held in memory together
     */
    public MergeRequestReader(long maxBytes, int maxRecipients, long maxRendered) {
        this.reader = new JsonMailRequestReader(maxBytes);
        this.maxBytes = maxBytes;
        this.maxRecipients = maxRecipients;
        this.maxRendered = maxRendered;
    }

    /** One recipient's outcome: its request, or why it has none. */
    public record Item(MailRequest request, RejectedMessageException problems) {
    }

    /** One recipient as given: its addresses and variables, or what is wrong with them. */
    private record Given(List<InternetAddress> to, List<InternetAddress> cc, List<InternetAddress> bcc,
                         Map<String, String> variables, Problems problems) {
    }

    /**
     * @param key the client key the ingress was given (HTTP Idempotency-Key), or null; it wins over the JSON id
     * @throws RejectedMessageException when the template itself is wrong, or there are no recipients or too many
     * @throws MessageTooLargeException when the recipients' messages together render to more than the request may
     */
    public List<Item> read(byte[] json, String key) throws RejectedMessageException {
        JsonNode root = reader.object(json);
        Problems problems = new Problems();
        MailRequest template = reader.template(root, problems);
        JsonNode recipients = root.get("recipients");
        if (recipients == null || recipients.isNull() || (recipients.isArray() && recipients.isEmpty())) {
            problems.add("recipients", "missing; give one {\"to\": ..., \"variables\": {...}} per message");
        } else if (!recipients.isArray()) {
            problems.add("recipients", "must be an array, got " + JsonFields.typeOf(recipients));
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

        List<Given> given = new ArrayList<>(recipients.size());
        long addresses = 0;
        for (int i = 0; i < recipients.size(); i++) {
            Given one = given(templates, recipients.get(i), i);
            given.add(one);
            addresses += count(one.to()) + count(one.cc()) + count(one.bcc());
        }
        // a group ("team: a@x, b@y;") or an array is one entry and many envelope recipients
        if (addresses > maxRecipients) {
            throw new RejectedMessageException("recipients", "send to " + addresses + " addresses in all (to, cc and"
                    + " bcc of every recipient, each member of a group counted); at most " + maxRecipients
                    + " in one request (mailroute.merge.maxRecipients)");
        }

        MergeBudget budget = new MergeBudget(maxBytes, maxRendered);
        List<Item> items = new ArrayList<>(recipients.size());
        for (int i = 0; i < recipients.size(); i++) {
            items.add(item(template, templates, given.get(i), i, requestKey, budget));
        }
        return items;
    }

    private static void put(Map<String, MergeTemplate> templates, String field, MergeTemplate template) {
        if (template != null) {
            templates.put(field, template);
        }
    }

    /** How many envelope recipients the addresses are: a group is its members. */
    private static int count(List<InternetAddress> addresses) {
        int count = 0;
        for (InternetAddress address : addresses) {
            try {
                count += address.isGroup() ? Math.max(1, address.getGroup(false).length) : 1;
            } catch (AddressException e) {
                count++; // it parsed as one address when it was read: at least one
            }
        }
        return count;
    }

    private static Given given(Map<String, MergeTemplate> templates, JsonNode node, int index) {
        String path = "recipients[" + index + "]";
        Problems problems = new Problems();
        if (!node.isObject()) {
            problems.add(path, "must be an object with to, cc, bcc and variables, got "
                               + JsonFields.typeOf(node));
            return new Given(List.of(), List.of(), List.of(), Map.of(), problems);
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!RECIPIENT_FIELDS.contains(name)) {
                problems.add(path + "." + name, "unknown field; the fields are to, cc, bcc, variables");
            }
        }
        List<InternetAddress> to = JsonFields.addresses(path + ".to", node.get("to"), problems);
        List<InternetAddress> cc = JsonFields.addresses(path + ".cc", node.get("cc"), problems);
        List<InternetAddress> bcc = JsonFields.addresses(path + ".bcc", node.get("bcc"), problems);
        if (to.isEmpty() && cc.isEmpty() && bcc.isEmpty() && !problems.any()) {
            problems.add(path + ".to", "no recipients; give at least one address in to, cc or bcc");
        }
        Map<String, String> variables = variables(path + ".variables", node.get("variables"), problems);
        for (Map.Entry<String, MergeTemplate> field : templates.entrySet()) {
            for (String name : field.getValue().names()) {
                if (!variables.containsKey(name)) {
                    problems.add(path + ".variables." + name, "missing; the " + field.getKey() + " uses {{" + name
                                                              + "}}");
                }
            }
        }
        return new Given(to, cc, bcc, variables, problems);
    }

    private static Item item(MailRequest template, Map<String, MergeTemplate> templates, Given given, int index,
                             String requestKey, MergeBudget budget) throws MessageTooLargeException {
        String path = "recipients[" + index + "]";
        Problems problems = given.problems();
        if (problems.any()) {
            return new Item(null, problems.rejection());
        }
        Map<String, String> rendered = new LinkedHashMap<>();
        MergeBudget.Recipient recipient = budget.recipient();
        for (Map.Entry<String, MergeTemplate> field : templates.entrySet()) {
            try {
                rendered.put(field.getKey(), recipient.render(field.getValue(), given.variables()));
            } catch (MergeBudget.Exceeded e) {
                if (e.limit() == MergeBudget.Limit.REQUEST) {
                    throw new MessageTooLargeException(path + "." + field.getKey(), "too large: rendering the "
                            + field.getKey() + " of " + path + " takes the messages of this merge request over "
                            + budget.perRequest() + " bytes together (twice mailroute.message.maxInFlight: they are"
                            + " held in memory until the last is queued); send the recipients in smaller requests");
                }
                problems.add(path + "." + field.getKey(), "rendered with these variables, the subject, text and html"
                        + " come to more than " + budget.perMessage() + " bytes (mailroute.message.maxBytes)");
                return new Item(null, problems.rejection());
            }
        }
        String subject = rendered.getOrDefault("subject", template.subject());
        HeaderRules.lineBreak(subject == null ? "" : subject).ifPresent(reason -> problems.add(path + ".variables",
                "the subject they make " + reason));
        if (problems.any()) {
            return new Item(null, problems.rejection());
        }
        return new Item(new MailRequest(requestKey == null ? null : requestKey + "#" + index, template.from(),
                template.sender(), template.envelopeFrom(), given.to(), given.cc(), given.bcc(), template.replyTo(),
                template.readReceiptTo(), subject, rendered.getOrDefault("text", template.text()),
                rendered.getOrDefault("html", template.html()), template.headers(), template.attachments(),
                template.priority(), template.dsn()), null);
    }

    /** Names to values; a number or true/false is written as JSON writes it. */
    private static Map<String, String> variables(String path, JsonNode node, Problems problems) {
        Map<String, String> variables = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return variables;
        }
        if (!node.isObject()) {
            problems.add(path, "must be an object of name to value, got " + JsonFields.typeOf(node));
            return variables;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode value = entry.getValue();
            if (value.isTextual() || value.isNumber() || value.isBoolean()) {
                variables.put(entry.getKey(), value.asText());
            } else if (!value.isNull()) {
                problems.add(path + "." + entry.getKey(), "must be a string, a number or true/false, got "
                                                          + JsonFields.typeOf(value));
            }
        }
        return variables;
    }
}
