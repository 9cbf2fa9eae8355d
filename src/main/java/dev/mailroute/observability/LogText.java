package dev.mailroute.observability;

/**
 * The one way any text from outside — a relay's reply, a client's name or address, a file name, an
 * exception's message — goes into a log line, an event, a reason or a diagnostic: one line, nothing a
 * terminal would act on, bounded. Line breaks and tabs become one space; every other control
 * character, and the Unicode line separators and direction overrides that can disguise a line, is
 * shown escaped ({@code \x1b}, {@code \u202e}); a double quote becomes a single one, so that a value
 * quoted in a {@code key="..."} line stays one value.
 */
public final class LogText {

    private LogText() {
    }

    public static String oneLine(String text) {
        return oneLine(text, Integer.MAX_VALUE);
    }

    /** As {@link #oneLine(String)}, at most {@code max} characters of it, then {@code ...}. */
    public static String oneLine(String text, int max) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 3);
        boolean space = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r' || c == '\n' || c == '\t' || c == '\f' || c == '\u000b' || (space && c == ' ')) {
                space = true;
                continue;
            }
            if (space) {
                if (!out.isEmpty() && out.charAt(out.length() - 1) != ' ') {
                    out.append(' ');
                }
                space = false;
            }
            if (out.length() >= max) {
                return out.append("...").toString();
            }
            if (c == '"') {
                out.append('\'');
            } else if (Character.isISOControl(c)) {
                out.append(String.format("\\x%02x", (int) c));
            } else if (disguises(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString().strip();
    }

    /** Line and paragraph separators, and the bidirectional controls that reorder what a reader sees. */
    private static boolean disguises(char c) {
        return c == '\u2028' || c == '\u2029' || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
               || c == '\u200e' || c == '\u200f' || c == '\u061c';
    }
}
