package dev.mailroute.routing;

import java.net.IDN;
import java.util.Locale;

/**
 * One rule of the routing table: which recipients it takes ({@code recipientDomain}, exact or
 * {@code *.sub} for the subdomains), which senders ({@code sender}: an address, {@code *@domain} or
 * {@code *@*.domain}), and the relay they go to. A rule with both takes a recipient only when both
 * match; a rule with neither is the default and takes everything.
 *
 * @param line where the rule begins in the routing file, for an operator reading doctor's answer
 * @param recipientDomain the recipient domain pattern, in lower case and ASCII (IDN); null = any
 * @param sender the sender pattern, in lower case with an ASCII domain; null = any
 */
public record RoutingRule(int line, String recipientDomain, String sender, String relay) {

    public boolean isDefault() {
        return recipientDomain == null && sender == null;
    }

    /** Whether this rule takes {@code recipient} of a message from {@code sender} ("" for the null sender). */
    public boolean matches(String sender, String recipient) {
        return (recipientDomain == null || domainMatches(recipientDomain, domainOf(recipient)))
               && (this.sender == null || senderMatches(normalised(sender)));
    }

    private boolean senderMatches(String address) {
        if (!sender.startsWith("*@")) {
            return sender.equals(address);
        }
        return address.contains("@") && domainMatches(sender.substring(2), domainOf(address));
    }

    private static boolean domainMatches(String pattern, String domain) {
        if (pattern.startsWith("*.")) {
            // a subdomain of the rest, never the rest itself: "*.corp.example.com" is not corp.example.com
            return domain.endsWith(pattern.substring(1)) && domain.length() > pattern.length() - 1;
        }
        return pattern.equals(domain);
    }

    /** The domain of an address, lower case and in ASCII; "" when it has none. */
    static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? "" : asciiDomain(address.substring(at + 1));
    }

    /** An address as rules compare it: the local part lower-cased, the domain lower-cased and in ASCII. */
    static String normalised(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? address.toLowerCase(Locale.ROOT)
                : address.substring(0, at).toLowerCase(Locale.ROOT) + "@" + asciiDomain(address.substring(at + 1));
    }

    /** A domain in lower case and, when it has non-ASCII letters, in its ASCII (punycode) form. */
    static String asciiDomain(String domain) {
        String lower = domain.trim().toLowerCase(Locale.ROOT);
        try {
            return IDN.toASCII(lower, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException notConvertible) {
            // compared as written: such a domain matches no rule written in ASCII
            return lower;
        }
    }

    /** The rule as doctor shows it: {@code line 3: recipientDomain corp.example.com -> internal}. */
    public String describe() {
        StringBuilder text = new StringBuilder("line ").append(line).append(": ");
        if (isDefault()) {
            text.append("default");
        }
        if (recipientDomain != null) {
            text.append("recipientDomain ").append(recipientDomain);
        }
        if (sender != null) {
            text.append(recipientDomain != null ? " and " : "").append("sender ").append(sender);
        }
        return text.append(" -> ").append(relay).toString();
    }
}
