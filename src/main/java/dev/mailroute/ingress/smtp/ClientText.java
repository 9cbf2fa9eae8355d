package dev.mailroute.ingress.smtp;

import dev.mailroute.observability.LogText;

/**
 * What a client wrote, made fit to be written again — into the {@code Received:} header, a reply or
 * a log line: printable ASCII only, and bounded. Nothing a client sends is trusted to be either.
 */
final class ClientText {

    /** The longest name DNS can hold: no honest HELO argument is longer. */
    static final int MAX_HELO = 255;

    /** Enough of an address or parameter to recognise it in a reply. */
    static final int MAX_SHOWN = 100;

    private ClientText() {
    }

    /**
     * The HELO/EHLO argument as the {@code Received:} header and the logs get it: the characters of
     * a domain name or an address literal ({@code [192.0.2.1]}, {@code [IPv6:2001:db8::1]}) kept,
     * and the underscore of a Windows machine name; anything else — control characters, and the
     * {@code ( ) ;} that would forge a comment or end the header's clauses early — becomes
     * {@code ?}. At most {@link #MAX_HELO} characters.
     */
    static String heloName(String name) {
        StringBuilder safe = new StringBuilder(Math.min(name.length(), MAX_HELO));
        for (int i = 0; i < name.length() && safe.length() < MAX_HELO; i++) {
            char c = name.charAt(i);
            boolean kept = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                           || c == '.' || c == '-' || c == '_' || c == '[' || c == ']' || c == ':';
            safe.append(kept ? c : '?');
        }
        return safe.toString();
    }

    /** For a reply or a log line: one line, shown escaped, at most {@code max} characters. */
    static String shown(String text, int max) {
        return LogText.oneLine(text, max);
    }
}
