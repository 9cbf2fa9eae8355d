package dev.mailroute.routing;

import java.util.List;

/**
 * The rules that choose each recipient's relay, in the order of the routing file: the first rule
 * that matches wins, the last is the default. Without a routing file the table has one rule,
 * the default to the relay named {@value #DEFAULT_RELAY}, and every message takes it.
 */
public record RoutingTable(List<RoutingRule> rules, String source) {

    /** The relay set up by mailroute.smtp.* and mailroute.transport. */
    public static final String DEFAULT_RELAY = "default";

    public RoutingTable {
        rules = List.copyOf(rules);
        if (rules.isEmpty() || !rules.get(rules.size() - 1).isDefault()) {
            throw new IllegalArgumentException("a routing table ends with its default rule");
        }
    }

    /** The table without a routing file: everything to the relay named default. */
    public static RoutingTable defaultOnly() {
        return new RoutingTable(List.of(new RoutingRule(0, null, null, DEFAULT_RELAY)), "no routing file");
    }

    /** The rule that takes this recipient of a message from this sender ("" for the null sender). */
    public RoutingRule route(String sender, String recipient) {
        for (RoutingRule rule : rules) {
            if (rule.matches(sender, recipient)) {
                return rule;
            }
        }
        throw new IllegalStateException("unreachable: the last rule is the default");
    }

    /** The relays some rule names, in the order of the table. */
    public List<String> relays() {
        return rules.stream().map(RoutingRule::relay).distinct().toList();
    }
}
