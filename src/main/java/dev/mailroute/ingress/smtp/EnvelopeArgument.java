package dev.mailroute.ingress.smtp;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/**
 * The argument of MAIL FROM or RCPT TO (RFC 5321 4.1.2): one path in angle brackets, then
 * parameters after a space. SubEthaSMTP 7.1.7 took the first address it could find and dropped
 * the rest of the line, so {@code RCPT TO:<a@x>,<b@y>} lost {@code b@y} without a word, and
 * parameters it did not know were ignored. This reads the whole line, and checks the mailbox as
 * the queue will ({@link InternetAddress}, strict), so that what cannot be delivered is refused at
 * the command that named it, not after DATA.
 *
 * @param address the mailbox, "" for {@code <>}
 * @param parameters keyword (upper case) to value (null for a keyword alone), in the client's order
 */
record EnvelopeArgument(String address, Map<String, String> parameters) {

    /** esmtp-keyword ["=" esmtp-value] (RFC 5321 4.1.2). */
    private static final Pattern PARAMETER =
            Pattern.compile("([A-Za-z0-9][A-Za-z0-9-]*)(?:=([\\x21-\\x3c\\x3e-\\x7e]+))?");

    /** Why an argument is refused: the reason counted, and the reply. */
    static final class Refusal extends Exception {

        final String reason;
        final int code;
        final String text;

        Refusal(String reason, int code, String text) {
            super(code + " " + text, null, false, false);
            this.reason = reason;
            this.code = code;
            this.text = text;
        }
    }

    /**
     * @param command the command line as the client sent it
     * @param verb {@code MAIL} or {@code RCPT}
     * @param prefix {@code FROM:} or {@code TO:}
     * @throws Refusal 501 for the syntax, 553 for a mailbox that cannot be one
     */
    static EnvelopeArgument parse(String command, String verb, String prefix) throws Refusal {
        String name = verb + " " + prefix;
        String args = command.length() <= verb.length() ? "" : command.substring(verb.length()).strip();
        if (!args.toUpperCase(Locale.ROOT).startsWith(prefix)) {
            throw new Refusal("invalid-syntax", 501, "5.5.4 Syntax: " + name + "<address> [parameters]");
        }
        // a space after the colon is not RFC 5321's, but common, and harmless
        String rest = args.substring(prefix.length()).stripLeading();
        String path;
        String tail;
        if (rest.startsWith("<")) {
            int close = closingBracket(rest);
            if (close < 0) {
                throw new Refusal("invalid-syntax", 501, "5.5.4 " + name + " has no closing '>': "
                                                         + ClientText.shown(rest, ClientText.MAX_SHOWN));
            }
            path = rest.substring(1, close);
            tail = rest.substring(close + 1);
        } else {
            // without brackets, as SubEthaSMTP took it: up to the first space
            int space = rest.indexOf(' ');
            path = space < 0 ? rest : rest.substring(0, space);
            tail = space < 0 ? "" : rest.substring(space);
        }
        if (path.isEmpty() && !rest.startsWith("<")) {
            // "MAIL FROM:" with nothing after it is not the null sender, which is written <>
            throw new Refusal("invalid-syntax", 501, "5.5.4 Syntax: " + name + "<address> [parameters]; the null"
                                                     + " sender is written <>");
        }
        String shownPath = name + "<" + ClientText.shown(path, ClientText.MAX_SHOWN) + ">";
        if (!tail.isEmpty() && tail.charAt(0) != ' ') {
            throw new Refusal("invalid-syntax", 501, "5.5.4 " + shownPath + " is followed by '"
                    + ClientText.shown(tail, ClientText.MAX_SHOWN) + "': one address per " + verb
                    + " command, and parameters after a space");
        }
        EnvelopeArgument argument = new EnvelopeArgument(path, parameters(tail, verb));
        argument.checkMailbox(shownPath, "MAIL".equals(verb) ? "5.1.7" : "5.1.3");
        return argument;
    }

    /** The '>' that ends the path: not one inside a quoted local part ({@code <"a>b"@x>}). */
    private static int closingBracket(String rest) {
        boolean quoted = false;
        for (int i = 1; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '>' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    private static Map<String, String> parameters(String tail, String verb) throws Refusal {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String item : tail.strip().split(" +")) {
            if (item.isEmpty()) {
                continue;
            }
            Matcher m = PARAMETER.matcher(item);
            if (!m.matches()) {
                throw new Refusal("invalid-syntax", 501, "5.5.4 '" + ClientText.shown(item, ClientText.MAX_SHOWN)
                        + "' is not a " + verb + " parameter (keyword or keyword=value); one address per " + verb
                        + " command");
            }
            String keyword = m.group(1).toUpperCase(Locale.ROOT);
            if (parameters.containsKey(keyword)) {
                throw new Refusal("invalid-parameter", 501, "5.5.4 " + ClientText.shown(keyword, 40)
                                                            + " is given twice");
            }
            parameters.put(keyword, m.group(2));
        }
        return parameters;
    }

    /** A mailbox the queue takes, or {@code <>} for MAIL (Transaction answers that one). */
    private void checkMailbox(String shown, String enhanced) throws Refusal {
        if (address.isEmpty()) {
            if (enhanced.equals("5.1.3")) {
                throw new Refusal("invalid-address", 553, enhanced + " " + shown + " has no mailbox; a recipient"
                                                          + " is an address such as user@example.com");
            }
            return;
        }
        if (address.startsWith("@")) {
            int colon = address.indexOf(':');
            throw new Refusal("invalid-address", 553, enhanced + " " + shown + " is a source route; mailroute takes"
                    + " the mailbox alone" + (colon < 0 ? "" : " (<" + ClientText.shown(address.substring(colon + 1),
                    ClientText.MAX_SHOWN) + ">)"));
        }
        if (!StandardCharsets.US_ASCII.newEncoder().canEncode(address)) {
            return; // Transaction refuses it as an internationalised address (553 5.6.7)
        }
        try {
            InternetAddress parsed = new InternetAddress(address, true);
            if (!address.equals(parsed.getAddress())) {
                throw new AddressException("not a single mailbox");
            }
        } catch (AddressException e) {
            throw new Refusal("invalid-address", 553, enhanced + " " + shown + " is not a mailbox: "
                                                      + ClientText.shown(String.valueOf(e.getMessage()), 200));
        }
    }
}
