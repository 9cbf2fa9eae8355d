package dev.mailroute.accept;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

import dev.mailroute.queue.QueueHeaders;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The accept stage every ingress route calls: reads the request (JSON or RFC 5322), validates it,
 * builds the canonical MIME message and leaves it as the body, with its envelope and ids in the
 * headers, ready for the queue. Anything wrong ends in a {@link RejectedMessageException} that
 * names each field and reason; the original body is left untouched for the ingress to keep.
 */
public final class MailAcceptor {

    private final long maxBytes;
    private final JsonMailRequestReader jsonReader = new JsonMailRequestReader();
    private final MimeMessageFactory mimeFactory = new MimeMessageFactory();
    private final RawMessageReader rawReader = new RawMessageReader();

    public MailAcceptor(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    public void accept(Exchange exchange) throws RejectedMessageException, IOException {
        Message in = exchange.getMessage();
        byte[] input = readBounded(in);
        AcceptedMessage accepted = isJson(in.getHeader(QueueHeaders.FORMAT, String.class), input)
                ? mimeFactory.build(jsonReader.read(input))
                : rawReader.read(input);
        if (accepted.mime().length > maxBytes) {
            throw tooLarge("the built MIME message is " + accepted.mime().length + " bytes");
        }
        in.setBody(accepted.mime());
        in.setHeader(QueueHeaders.ID, accepted.id());
        in.setHeader(QueueHeaders.CLIENT_ID, accepted.clientId());
        in.setHeader(QueueHeaders.SENDER, accepted.envelope().senderAddress());
        in.setHeader(QueueHeaders.RECIPIENTS, accepted.envelope().recipientsLine());
    }

    /** Reads at most maxBytes + 1, so an oversized request costs no more memory than the limit. */
    private byte[] readBounded(Message in) throws RejectedMessageException, IOException {
        Long declared = in.getHeader(Exchange.FILE_LENGTH, Long.class);
        if (declared != null && declared > maxBytes) {
            throw tooLarge("the request is " + declared + " bytes");
        }
        InputStream body = in.getBody(InputStream.class);
        if (body == null) {
            throw new RejectedMessageException("$", "is empty; send a JSON mail request or an RFC 5322 message");
        }
        try (body) {
            byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw tooLarge("the request is over " + maxBytes + " bytes");
            }
            return bytes;
        }
    }

    private RejectedMessageException tooLarge(String what) {
        return new RejectedMessageException("$", "too large: " + what + ", the limit is " + maxBytes
                                                 + " bytes (mailroute.message.maxBytes)");
    }

    /** The ingress says which format it carries; when it does not, a leading '{' means JSON. */
    private static boolean isJson(String format, byte[] input) {
        if (format != null && !format.isBlank()) {
            return format.toLowerCase(Locale.ROOT).equals("json");
        }
        for (byte b : input) {
            if (!Character.isWhitespace(b)) {
                return b == '{' || b == '[';
            }
        }
        return false;
    }
}
