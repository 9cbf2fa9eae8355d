package dev.mailroute.accept;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

import dev.mailroute.message.XSenderForm;
import jakarta.activation.DataHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePart;
import jakarta.mail.util.ByteArrayDataSource;

/**
 * Lines of a raw message longer than RFC 5322 allows (998 octets, section 2.1.1), which some
 * relays refuse and others break in the middle. A body part sent as it is (7bit, 8bit, binary, or
 * no Content-Transfer-Encoding) with such a line is re-encoded, its content unchanged: Jakarta
 * Mail chooses quoted-printable for content that is mostly ASCII and base64 otherwise, as it does
 * for the messages mailroute builds. A header line that long is refused instead, by name: folding an
 * arbitrary header means knowing its syntax, and a header folded wrongly means something else.
 */
final class LongLines {

    /** RFC 5322 section 2.1.1, not counting the CRLF. */
    static final int MAX_OCTETS = 998;

    /** Transfer encodings that send the content as it is, line for line. */
    private static final Set<String> AS_IS = Set.of("7bit", "8bit", "binary");

    private LongLines() {
    }

    /**
     * Every header line over the limit, named by its header (a folded header by the line it
     * starts on) with its length and line number; {@code leadingLines} are the lines before, and
     * {@code fix} says what the sender can do about it.
     */
    static void checkHeaders(byte[] message, int leadingLines, Problems problems, String fix) {
        int line = leadingLines;
        String header = "$";
        for (int start = 0; start < message.length;) {
            int end = XSenderForm.lineEnd(message, start);
            line++;
            if (end == start) {
                return; // the blank line: the body follows
            }
            if (message[start] != ' ' && message[start] != '\t') {
                int colon = indexOf(message, start, end, (byte) ':');
                header = new String(message, start, Math.min(colon < 0 ? end : colon, start + 100) - start,
                        StandardCharsets.ISO_8859_1).strip();
            }
            if (end - start > MAX_OCTETS) {
                problems.add(header, "has a line of " + (end - start) + " octets (line " + line + "); a line is at"
                        + " most " + MAX_OCTETS + " octets (RFC 5322 section 2.1.1); " + fix);
            }
            start = next(message, end);
        }
    }

    /** The first line over the limit after {@code from}, as {line number counted from 1, length}, or null. */
    static long[] firstLongLine(byte[] bytes, int from) {
        long line = 0;
        for (int start = from; start < bytes.length;) {
            int end = XSenderForm.lineEnd(bytes, start);
            line++;
            if (end - start > MAX_OCTETS) {
                return new long[] {line, end - start};
            }
            start = next(bytes, end);
        }
        return null;
    }

    /**
     * Re-encodes every part of {@code part} (the message itself, or the parts of a multipart, at
     * any depth) that is sent as it is and has a line over the limit; true when one was. The
     * caller saves the message's changes. A message/rfc822 part is left as it is: it may only be
     * sent as it is (RFC 2046 section 5.2.1), and its own parts are another message's.
     */
    static boolean reencode(MimePart part) throws MessagingException, IOException {
        if (part.isMimeType("multipart/*")) {
            MimeMultipart multipart = (MimeMultipart) part.getContent();
            boolean changed = false;
            for (int i = 0; i < multipart.getCount(); i++) {
                changed |= reencode((MimePart) multipart.getBodyPart(i));
            }
            if (changed) {
                // from now on written from its parts, not from the bytes it was read from
                String type = part.getContentType();
                part.setContent(multipart);
                part.setHeader("Content-Type", type);
            }
            return changed;
        }
        String encoding = part.getEncoding();
        if (part.isMimeType("message/rfc822")
            || (encoding != null && !AS_IS.contains(encoding.toLowerCase(Locale.ROOT)))) {
            return false;
        }
        byte[] content;
        try (var in = part.getInputStream()) {
            content = in.readAllBytes(); // sent as it is: what was read is the content
        }
        if (firstLongLine(content, 0) == null) {
            return false;
        }
        String type = part.getContentType();
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(content, type)));
        // setting the content drops the headers about it: the type is put back as it was, and
        // without a Content-Transfer-Encoding Jakarta Mail chooses one from the content
        part.setHeader("Content-Type", type);
        return true;
    }

    private static int indexOf(byte[] bytes, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static int next(byte[] bytes, int end) {
        return end < bytes.length && bytes[end] == '\r' && end + 1 < bytes.length && bytes[end + 1] == '\n'
                ? end + 2 : end + 1;
    }
}
