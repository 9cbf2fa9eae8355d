package dev.mailroute.ingress.file;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A file name from outside, as its bytes: how it is shown ({@link #escaped}: one line, nothing a
 * terminal or an editor would act on, every byte accounted for) and under which name mailroute keeps
 * it ({@link #safe}: no control, format or undecodable characters, never hidden, never longer than
 * asked). A name is bytes on Linux, not text: a name that is not UTF-8 is shown byte by byte.
 */
final class FileNames {

    private FileNames() {
    }

    /** Characters NTFS refuses in a name. */
    private static final String WINDOWS_REFUSES = "<>:\"|?*";

    /** What one step of {@link #walk} found: a character, or a byte that is not part of any UTF-8 character. */
    private interface Visitor {
        void character(int codePoint);

        void invalidByte(int unsigned);
    }

    /**
     * The name for a log line or a reason file: UTF-8 characters as they are, except control
     * characters ({@code \x0a}), format and line-separating characters such as a right-to-left
     * override or U+2028 ({@code \u202e}), U+FFFD, and the backslash itself ({@code \\}); a byte that
     * is not valid UTF-8 as {@code \xff}.
     */
    static String escaped(byte[] name) {
        StringBuilder out = new StringBuilder(name.length + 16);
        walk(name, new Visitor() {
            @Override
            public void character(int c) {
                if (c == '\\') {
                    out.append("\\\\");
                } else if (c < 0x20 || c == 0x7f) {
                    out.append(String.format("\\x%02x", c));
                } else if (unsafe(c)) {
                    out.append(String.format("\\u%04x", c));
                } else {
                    out.appendCodePoint(c);
                }
            }

            @Override
            public void invalidByte(int b) {
                out.append(String.format("\\x%02x", b));
            }
        });
        return out.toString();
    }

    static String escaped(String name) {
        return escaped(name.getBytes(StandardCharsets.UTF_8));
    }

    /** The bytes as hex, for a log line about a name no one can type: {@code ff fe 2e 65 6d 6c}. */
    static String hex(byte[] name) {
        return HexFormat.ofDelimiter(" ").formatHex(name);
    }

    /**
     * A name to keep the file under: what {@link #escaped} would escape becomes {@code _}, a leading
     * dot or dash too (a hidden file, an option to a shell command); longer than {@code maxBytes}
     * in UTF-8, it is cut and gets {@code ~<8 hex digits of the original bytes' hash>} before its
     * extension, so two long names that start alike stay apart. Nothing Windows refuses is ever
     * produced, on any platform: {@code < > : " | ? *} become {@code _}, a reserved device name
     * ({@code CON}, {@code NUL}, {@code COM1}, ... — with any extension) gets a leading {@code _}, and
     * a trailing dot or space becomes {@code _}.
     */
    static String safe(byte[] name, int maxBytes) {
        StringBuilder clean = new StringBuilder(name.length);
        walk(name, new Visitor() {
            @Override
            public void character(int c) {
                if (c < 0x20 || c == 0x7f || c == '\\' || WINDOWS_REFUSES.indexOf(c) >= 0 || unsafe(c)) {
                    clean.append('_');
                } else {
                    clean.appendCodePoint(c);
                }
            }

            @Override
            public void invalidByte(int b) {
                clean.append('_');
            }
        });
        if (clean.length() == 0 || clean.charAt(0) == '.' || clean.charAt(0) == '-' || reservedOnWindows(clean)) {
            clean.insert(0, '_');
        }
        char last = clean.charAt(clean.length() - 1);
        if (last == '.' || last == ' ') {
            clean.setCharAt(clean.length() - 1, '_');
        }
        String text = clean.toString();
        if (utf8Length(text) <= maxBytes) {
            return text;
        }
        int dot = text.lastIndexOf('.');
        String extension = dot > 0 && text.length() - dot <= 10 ? text.substring(dot) : "";
        String suffix = String.format("~%08x", Arrays.hashCode(name)) + extension;
        int room = maxBytes - utf8Length(suffix);
        StringBuilder cut = new StringBuilder();
        int used = 0;
        for (int i = 0; i < text.length(); i = text.offsetByCodePoints(i, 1)) {
            String next = text.substring(i, text.offsetByCodePoints(i, 1));
            used += utf8Length(next);
            if (used > room) {
                break;
            }
            cut.append(next);
        }
        return cut + suffix;
    }

    /** CON, PRN, AUX, NUL, COM1-9, LPT1-9: Windows opens the device, whatever the extension. */
    private static boolean reservedOnWindows(CharSequence name) {
        String base = name.toString().split("\\.", 2)[0].strip().toUpperCase(Locale.ROOT);
        return base.matches("CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9]");
    }

    static String safe(String name, int maxBytes) {
        return safe(name.getBytes(StandardCharsets.UTF_8), maxBytes);
    }

    /** Invisible or line-breaking characters, and U+FFFD: what the JVM shows for bytes it could not decode. */
    private static boolean unsafe(int c) {
        if (Character.isISOControl(c) || c == 0xFFFD) {
            return true;
        }
        int type = Character.getType(c);
        return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
               || type == Character.SURROGATE || type == Character.PRIVATE_USE || type == Character.UNASSIGNED;
    }

    private static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Decodes UTF-8 strictly, reporting each byte that does not belong to a valid character on its own. */
    private static void walk(byte[] name, Visitor visitor) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(name);
        CharBuffer out = CharBuffer.allocate(name.length + 1);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            emit(out, visitor);
            if (result.isError()) {
                for (int i = 0; i < result.length(); i++) {
                    visitor.invalidByte(in.get() & 0xff);
                }
            } else {
                decoder.flush(out);
                emit(out, visitor);
                return;
            }
        }
    }

    private static void emit(CharBuffer decoded, Visitor visitor) {
        decoded.flip();
        decoded.toString().codePoints().forEach(visitor::character);
        decoded.clear();
    }
}
