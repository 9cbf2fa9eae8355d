package dev.mailroute.accept;

import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.CharBuffer;
import java.util.Locale;
import java.util.Map;

/**
 * What rendering one merge request may write. A template of a few kilobytes can repeat a variable
 * of a few hundred kilobytes thousands of times, and gigabytes would be rendered from a small
 * request; so every recipient's subject, text and html are written through a counter of their
 * UTF-8 bytes that stops the rendering at the limit, before the memory is spent, rather than
 * measuring what was rendered:
 * <ul>
 * <li>one recipient's subject, text and html together at most {@code perMessage} bytes
 * (mailroute.message.maxBytes: the message built from them could not be larger);</li>
 * <li>all recipients' together at most {@code perRequest} bytes: they are held in memory until
 * the last message of the request is queued. What a recipient wrote before it was stopped counts
 * too, and each field at least its template's length (walking the template is work even where
 * it writes nothing), so the work a request can cause is bounded as well as the memory.</li>
 * </ul>
 */
final class MergeBudget {

    /** Which limit stopped a rendering. */
    enum Limit {
        MESSAGE, REQUEST
    }

    /** Rendering stopped at a limit. */
    static final class Exceeded extends IOException {

        private final Limit limit;

        Exceeded(Limit limit) {
            super("over the " + limit.name().toLowerCase(Locale.ROOT) + " limit");
            this.limit = limit;
        }

        Limit limit() {
            return limit;
        }
    }

    private final long perMessage;
    private final long perRequest;
    private long requestBytes;

    MergeBudget(long perMessage, long perRequest) {
        this.perMessage = perMessage;
        this.perRequest = perRequest;
    }

    long perMessage() {
        return perMessage;
    }

    long perRequest() {
        return perRequest;
    }

    /** The budget of one recipient's message. */
    Recipient recipient() {
        return new Recipient();
    }

    /** One recipient's fields, rendered one after the other against the same limits. */
    final class Recipient {

        private long messageBytes;

        String render(MergeTemplate template, Map<String, String> variables) throws Exceeded {
            Counting out = new Counting(new StringWriter());
            try {
                template.render(variables, out);
            } catch (RuntimeException e) {
                // mustache.java wraps what the writer throws in its own exceptions
                if (out.exceeded == null) {
                    throw e;
                }
            }
            if (out.exceeded != null) {
                throw out.exceeded;
            }
            // a template of empty variables ({{v}} a million times, v "") writes nothing and still
            // takes the time of walking it: each recipient costs the request at least the template
            long unwritten = template.length() - out.bytes;
            if (unwritten > 0) {
                if (requestBytes + unwritten > perRequest) {
                    throw new Exceeded(Limit.REQUEST);
                }
                requestBytes += unwritten;
            }
            return out.target.toString();
        }

        /** Takes a chunk if both limits allow it, and keeps a note of which one did not. */
        private final class Counting extends Writer {

            private final StringWriter target;
            private Exceeded exceeded;
            private long bytes;

            Counting(StringWriter target) {
                this.target = target;
            }

            @Override
            public void write(char[] chars, int offset, int length) throws IOException {
                charge(CharBuffer.wrap(chars, offset, length));
                target.write(chars, offset, length);
            }

            @Override
            public void write(String text, int offset, int length) throws IOException {
                charge(CharBuffer.wrap(text, offset, offset + length));
                target.write(text, offset, length);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }

            private void charge(CharSequence chunk) throws Exceeded {
                if (exceeded != null) {
                    throw exceeded; // stopped already: nothing more is taken
                }
                long room = Math.min(perMessage - messageBytes, perRequest - requestBytes);
                // a character is at least one byte: a chunk longer than the room is over without counting it
                long bytes = chunk.length() > room ? chunk.length() : utf8Length(chunk);
                if (messageBytes + bytes > perMessage) {
                    exceeded = new Exceeded(Limit.MESSAGE);
                } else if (requestBytes + bytes > perRequest) {
                    exceeded = new Exceeded(Limit.REQUEST);
                } else {
                    messageBytes += bytes;
                    requestBytes += bytes;
                    this.bytes += bytes;
                    return;
                }
                throw exceeded;
            }
        }
    }

    /** The UTF-8 length of the characters: a surrogate pair is four bytes, each half counted as two. */
    static long utf8Length(CharSequence chars) {
        long bytes = 0;
        for (int i = 0; i < chars.length(); i++) {
            char c = chars.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }
}
