package dev.mailroute.accept;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;

import dev.mailroute.queue.QueueHeaders;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The accept stage every ingress reaches through {@code direct:accept}: reads the request (JSON or
 * RFC 5322), validates it, builds the canonical MIME message and leaves it as the body, with its
 * envelope and ids in the headers, ready for the queue. Anything wrong ends in a
 * {@link RejectedMessageException} that names each field and reason; the original body is left
 * untouched for the ingress to keep.
 *
 * <p>A request with a client key (the JSON {@code id}, or a key the ingress put in
 * {@code mailrouteClientId}, such as HTTP's Idempotency-Key) gets an id derived from that key, so
 * a repeated request is answered with the id of the first.
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
        byte[] input = BoundedBody.read(in, maxBytes, "the request",
                "is empty; send a JSON mail request or an RFC 5322 message");
        String givenKey = clientKey(in.getHeader(QueueHeaders.CLIENT_ID, String.class));
        AcceptedMessage accepted;
        if (isJson(in.getHeader(QueueHeaders.FORMAT, String.class), input)) {
            MailRequest request = jsonReader.read(input);
            String key = givenKey != null ? givenKey : request.clientId();
            accepted = mimeFactory.build(request, idFor(key), key);
        } else {
            accepted = rawReader.read(input, idFor(givenKey), givenKey);
        }
        if (accepted.mime().length > maxBytes) {
            throw BoundedBody.tooLarge("the built MIME message is " + accepted.mime().length + " bytes", maxBytes);
        }
        in.setBody(accepted.mime());
        in.setHeader(QueueHeaders.ID, accepted.id());
        in.setHeader(QueueHeaders.CLIENT_ID, accepted.clientId());
        in.setHeader(QueueHeaders.SENDER, accepted.envelope().senderAddress());
        in.setHeader(QueueHeaders.RECIPIENTS, accepted.envelope().recipientsLine());
        in.setHeader(QueueHeaders.ACCEPTED_AT, System.currentTimeMillis());
    }

    /** The same key always gives the same id: the answer to a repeated request is the first answer. */
    static String idFor(String clientKey) {
        if (clientKey == null) {
            return UUID.randomUUID().toString();
        }
        return UUID.nameUUIDFromBytes(("mailroute-client-key:" + clientKey).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    private static String clientKey(String value) throws RejectedMessageException {
        if (value == null || value.isBlank()) {
            return null;
        }
        String reason = HeaderRules.clientKey(value).orElse(null);
        if (reason != null) {
            throw new RejectedMessageException("id", "the client key (Idempotency-Key) " + reason);
        }
        return value;
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
