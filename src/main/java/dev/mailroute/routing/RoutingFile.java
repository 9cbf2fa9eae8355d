package dev.mailroute.routing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.mailroute.observability.LogText;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads the routing file ({@code mailroute.routing.file}) into a {@link RoutingTable}, or says
 * which line is wrong and why. The file is YAML read as a tree of nodes (snakeyaml-engine, the
 * parser of Camel's YAML routes), so that every refusal can name the line it is about:
 * <pre>
 * rules:
 *   - recipientDomain: corp.example.com
 *     relay: internal
 *   - sender: "*@billing.example.com"
 *     relay: bulk
 *   - default: m365
 * </pre>
 * Every rule names a relay the configuration has; the default comes last (a rule after it would
 * never be used).
 */
public final class RoutingFile {

    /** Far beyond any routing table written by hand; a bigger file is a mistake, not a table. */
    static final int MAX_BYTES = 1024 * 1024;
    static final int MAX_RULES = 10_000;
    /** The tags a plain YAML value gets from the core schema; any other was written into the file. */
    private static final Set<Tag> CORE_TAGS = Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.MAP,
            Tag.SEQ);

    private RoutingFile() {
    }

    /** The file's bytes, bounded: what {@link #parse} reads and what a reload compares. */
    public static byte[] read(Path file) throws RoutingFileException {
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new RoutingFileException(file, 0, "larger than " + MAX_BYTES / 1024 + " KiB");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new RoutingFileException(file, 0, "cannot be read (" + e.getClass().getSimpleName() + ": "
                                                    + e.getMessage() + ")");
        }
    }

    /** The table these bytes of {@code file} make with these relays (every name the configuration has). */
    public static RoutingTable parse(Path file, byte[] bytes, Set<String> relays) throws RoutingFileException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new RoutingFileException(file, 0, "is not UTF-8 text");
        }
        Optional<Node> root;
        try {
            root = new Compose(LoadSettings.builder().setLabel(file.toString()).setMaxAliasesForCollections(0)
                    .setAllowRecursiveKeys(false).setCodePointLimit(MAX_BYTES).build()).composeString(text);
        } catch (MarkedYamlEngineException e) {
            throw new RoutingFileException(file, e.getProblemMark().map(m -> m.getLine() + 1).orElse(0),
                    "not YAML: " + LogText.oneLine(e.getProblem(), 200));
        } catch (YamlEngineException e) {
            throw new RoutingFileException(file, 0, "not YAML: " + LogText.oneLine(e.getMessage(), 200));
        } catch (StackOverflowError e) {
            // the parser recurses per level: a file of brackets inside brackets exhausts the stack
            throw new RoutingFileException(file, 0, "nested too deeply to be a routing table");
        }
        if (root.isPresent()) {
            plain(file, root.get(), 0);
        }
        if (root.isEmpty()) {
            throw new RoutingFileException(file, 0, "is empty: it needs rules: with at least a default");
        }
        Map<String, Node> top = mapping(file, root.get(), Set.of("rules"), "the file");
        Node rules = top.get("rules");
        if (!(rules instanceof SequenceNode list) || list.getValue().isEmpty()) {
            throw new RoutingFileException(file, line(rules != null ? rules : root.get()),
                    "rules: must be a list of rules ending with a default");
        }
        if (list.getValue().size() > MAX_RULES) {
            throw new RoutingFileException(file, line(list), "more than " + MAX_RULES + " rules");
        }
        List<RoutingRule> table = new ArrayList<>();
        for (Node item : list.getValue()) {
            if (!table.isEmpty() && table.get(table.size() - 1).isDefault()) {
                throw new RoutingFileException(file, line(item), "a rule after the default rule would never be used;"
                                                                 + " the default comes last");
            }
            table.add(rule(file, item, relays));
        }
        if (!table.get(table.size() - 1).isDefault()) {
            throw new RoutingFileException(file, line(list.getValue().get(list.getValue().size() - 1)),
                    "the last rule must be the default (- default: <relay>): a recipient no rule takes needs a relay");
        }
        return new RoutingTable(table, file.toString());
    }

    private static RoutingRule rule(Path file, Node item, Set<String> relays) throws RoutingFileException {
        Map<String, Node> fields = mapping(file, item, Set.of("recipientDomain", "sender", "relay", "default"),
                "a rule");
        int line = line(item);
        if (fields.containsKey("default")) {
            if (fields.size() > 1) {
                throw new RoutingFileException(file, line, "the default rule has nothing but default: <relay>");
            }
            return new RoutingRule(line, null, null, relay(file, fields.get("default"), relays));
        }
        if (!fields.containsKey("relay")) {
            throw new RoutingFileException(file, line, "the rule names no relay (relay: <name>)");
        }
        String domain = fields.containsKey("recipientDomain")
                ? domainPattern(file, fields.get("recipientDomain")) : null;
        String sender = fields.containsKey("sender") ? senderPattern(file, fields.get("sender")) : null;
        if (domain == null && sender == null) {
            throw new RoutingFileException(file, line, "the rule matches nothing: give recipientDomain, sender or"
                                                       + " both (or make it the default)");
        }
        return new RoutingRule(line, domain, sender, relay(file, fields.get("relay"), relays));
    }

    private static String relay(Path file, Node node, Set<String> relays) throws RoutingFileException {
        String name = scalar(file, node, "a relay");
        if (!relays.contains(name)) {
            throw new RoutingFileException(file, line(node), "no relay is named " + quoted(name) + " (the relays: "
                                                             + String.join(", ", relays.stream().sorted().toList())
                                                             + "; mailroute.relays names them)");
        }
        return name;
    }

    /** corp.example.com or *.corp.example.com, in ASCII and lower case. */
    private static String domainPattern(Path file, Node node) throws RoutingFileException {
        String text = scalar(file, node, "recipientDomain");
        boolean subdomains = text.startsWith("*.");
        String domain = RoutingRule.asciiDomain(subdomains ? text.substring(2) : text);
        unambiguous(file, node, subdomains ? text.substring(2) : text, domain);
        if (!isDomain(domain)) {
            throw new RoutingFileException(file, line(node), "recipientDomain " + quoted(text) + " is not a domain"
                                                             + " (corp.example.com, or *.corp.example.com for"
                                                             + " its subdomains)");
        }
        return subdomains ? "*." + domain : domain;
    }

    /** alice@example.com, *@example.com or *@*.example.com. */
    private static String senderPattern(Path file, Node node) throws RoutingFileException {
        String text = scalar(file, node, "sender");
        int at = text.lastIndexOf('@');
        String local = at < 0 ? "" : text.substring(0, at);
        String domain = at < 0 ? "" : text.substring(at + 1);
        boolean subdomains = domain.startsWith("*.");
        String ascii = RoutingRule.asciiDomain(subdomains ? domain.substring(2) : domain);
        unambiguous(file, node, subdomains ? domain.substring(2) : domain, ascii);
        boolean wildcardLocal = local.equals("*");
        if (local.isEmpty() || !isDomain(ascii) || subdomains && !wildcardLocal
            || !wildcardLocal && !local.matches("[A-Za-z0-9!#$%&'+/=?^_`{|}~.-]{1,64}")) {
            throw new RoutingFileException(file, line(node), "sender " + quoted(text) + " is not an address,"
                                                             + " *@domain or *@*.domain");
        }
        String pattern = wildcardLocal ? "*@" + (subdomains ? "*." : "") + ascii : RoutingRule.normalised(text);
        return pattern;
    }

    /**
     * Refuses what a routing table never needs and YAML would otherwise take quietly: anchors and
     * aliases (one value standing for another), tags ({@code !!java.lang.Runtime}), and depth
     * beyond that of a table.
     */
    private static void plain(Path file, Node node, int depth) throws RoutingFileException {
        if (depth > 4) {
            throw new RoutingFileException(file, line(node), "nested deeper than a routing table is");
        }
        if (node.getAnchor().isPresent()) {
            throw new RoutingFileException(file, line(node), "anchors and aliases (&, *) are not used in a routing"
                                                             + " file; write each value out");
        }
        if (!CORE_TAGS.contains(node.getTag())) {
            throw new RoutingFileException(file, line(node), "tags (!!...) are not used in a routing file");
        }
        if (node instanceof MappingNode map) {
            for (NodeTuple tuple : map.getValue()) {
                plain(file, tuple.getKeyNode(), depth + 1);
                plain(file, tuple.getValueNode(), depth + 1);
            }
        } else if (node instanceof SequenceNode list) {
            for (Node item : list.getValue()) {
                plain(file, item, depth + 1);
            }
        }
    }

    /**
     * An internationalised domain whose ASCII form (Java's IDNA 2003) names another domain than
     * today's IDNA 2008 would ({@code straße} becomes {@code strasse}, a joiner is dropped) is refused:
     * written in its xn-- form it means one domain only.
     */
    private static void unambiguous(Path file, Node node, String written, String ascii) throws RoutingFileException {
        String lower = written.trim().toLowerCase(java.util.Locale.ROOT);
        if (!lower.equals(ascii) && !java.net.IDN.toUnicode(ascii).equals(lower)) {
            throw new RoutingFileException(file, line(node), quoted(written) + " does not name one domain only (its"
                                                             + " letters are mapped to others); write it in its xn--"
                                                             + " form");
        }
    }

    private static boolean isDomain(String domain) {
        return domain.length() <= 253
               && domain.matches("(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");
    }

    private static Map<String, Node> mapping(Path file, Node node, Set<String> known, String what)
            throws RoutingFileException {
        if (!(node instanceof MappingNode map)) {
            throw new RoutingFileException(file, line(node), what + " must be a mapping of " + String.join(", ",
                    known.stream().sorted().toList()));
        }
        Map<String, Node> fields = new HashMap<>();
        for (NodeTuple tuple : map.getValue()) {
            String key = scalar(file, tuple.getKeyNode(), "a key");
            if (!known.contains(key)) {
                throw new RoutingFileException(file, line(tuple.getKeyNode()), quoted(key) + " is not a key of "
                                                                               + what + " (" + String.join(", ",
                        known.stream().sorted().toList()) + ")");
            }
            if (fields.put(key, tuple.getValueNode()) != null) {
                throw new RoutingFileException(file, line(tuple.getKeyNode()), key + " is given twice");
            }
        }
        return fields;
    }

    private static String scalar(Path file, Node node, String what) throws RoutingFileException {
        if (!(node instanceof ScalarNode scalar) || scalar.getValue().isBlank()) {
            throw new RoutingFileException(file, line(node), what + " must be a word, not empty, a list or a mapping");
        }
        return scalar.getValue().trim();
    }

    /** A value of the file, shown bounded and with anything unprintable escaped. */
    private static String quoted(String value) {
        return "'" + LogText.oneLine(value, 100) + "'";
    }

    private static int line(Node node) {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }
}
