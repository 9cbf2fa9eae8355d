package dev.mailroute.message;

import java.nio.charset.StandardCharsets;

/**
 * RFC 3461's xtext (section 4): how ENVID and ORCPT values travel in SMTP parameters — printable
 * ASCII except {@code +} and {@code =}, which are written {@code +2B} and {@code +3D}, as is any
 * other byte. Also how mailroute keeps them on the queue.
 */
public final class Xtext {

    private Xtext() {
    }

    /** The text as xtext. */
    public static String encode(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 33 && c <= 126 && c != '+' && c != '=') {
                out.append((char) c);
            } else {
                out.append('+').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** The text an xtext stands for; an xtext that is not one is refused with what is wrong. */
    public static String decode(String xtext) {
        StringBuilder out = new StringBuilder(xtext.length());
        for (int i = 0; i < xtext.length(); i++) {
            char c = xtext.charAt(i);
            if (c == '+') {
                if (i + 2 >= xtext.length() || !hex(xtext.charAt(i + 1)) || !hex(xtext.charAt(i + 2))) {
                    throw new IllegalArgumentException("'+' must be followed by two upper-case hex digits");
                }
                char decoded = (char) Integer.parseInt(xtext.substring(i + 1, i + 3), 16);
                if (decoded < 32 || decoded > 126) {
                    // RFC 3461 4.2, 4.4: printable US-ASCII (a space included), never a control character
                    throw new IllegalArgumentException("+" + xtext.substring(i + 1, i + 3) + " is not printable ASCII");
                }
                out.append(decoded);
                i += 2;
            } else if (c < 33 || c > 126 || c == '=') {
                throw new IllegalArgumentException("holds a character xtext does not allow");
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean hex(char c) {
        return c >= '0' && c <= '9' || c >= 'A' && c <= 'F';
    }
}
