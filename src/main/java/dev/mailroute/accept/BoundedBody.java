package dev.mailroute.accept;

import java.io.IOException;
import java.io.InputStream;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Reads a request body, but never more than {@code mailroute.message.maxBytes} + 1 bytes: an
 * oversized request costs no more memory than the limit. A declared length (file size,
 * Content-Length) over the limit is refused before anything is read.
 */
public final class BoundedBody {

    private BoundedBody() {
    }

    /**
     * @param what how the refusal names the body ("the request", "the batch")
     * @param empty the reason when there is no body at all
     */
    public static byte[] read(Message in, long maxBytes, String what, String empty)
            throws RejectedMessageException, IOException {
        try (InputStream body = stream(in, maxBytes, what, empty)) {
            byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw tooLarge(what + " is over " + maxBytes + " bytes", maxBytes);
            }
            return bytes;
        }
    }

    /**
     * The body as a stream, for a reader that stops at {@code maxBytes} itself (Jackson's
     * maxDocumentLength: {@link JsonFields#mapper}); a declared length over the limit is refused
     * before anything is read. Reading a 2 MB batch into one array first was 8% of the bytes the
     * HTTP path allocated at 100 KB (async-profiler, 2026-12-07), and an array over half a G1
     * region (1 MiB in a 256 MiB heap) is a humongous allocation, each of which can start a
     * concurrent marking cycle.
     */
    public static InputStream stream(Message in, long maxBytes, String what, String empty)
            throws RejectedMessageException {
        Long declared = in.getHeader(Exchange.FILE_LENGTH, Long.class);
        if (declared == null) {
            declared = in.getHeader(Exchange.CONTENT_LENGTH, Long.class);
        }
        if (declared != null && declared > maxBytes) {
            throw tooLarge(what + " is " + declared + " bytes", maxBytes);
        }
        InputStream body = in.getBody(InputStream.class);
        if (body == null) {
            throw new RejectedMessageException("$", empty);
        }
        return body;
    }

    static MessageTooLargeException tooLarge(String what, long maxBytes) {
        return new MessageTooLargeException("too large: " + what + ", the limit is " + maxBytes
                                            + " bytes (mailroute.message.maxBytes)");
    }
}
