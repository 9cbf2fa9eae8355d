package dev.mailroute.accept;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailroute.message.AcceptedMessage;
import dev.mailroute.message.Dsn;
import dev.mailroute.message.Envelope;
import dev.mailroute.message.Handover;
import dev.mailroute.message.MessageHeaders;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The accept stage every ingress reaches through {@code direct:accept}: reads the request (JSON or
 * RFC 5322), validates it, builds the canonical MIME message and leaves it as the body, with its
 * envelope and ids in the headers of the queue contract ({@link MessageHeaders}), ready for the
 * queue. Anything wrong ends in a {@link RejectedMessageException} that names each field and
 * reason; the original body is left untouched for the ingress to keep.
 *
 * <p>What the ingress knows besides the body comes as exchange properties ({@link Handover}),
 * never from headers, which are where a client's own fields arrive. Every header of the queue
 * contract is written here from accept's own state, after every other header is dropped: nothing
 * a client sent can become, or stand in for, one of them.
 *
 * <p>The envelope comes from the request — or from the ingress, when it knows it already (the
 * SMTP listener's MAIL FROM and RCPT TO, {@link Handover#ENVELOPE}).
 *
 * <p>A request with a client key (the JSON {@code id}, or a key the ingress was given, such as
 * HTTP's Idempotency-Key: {@link Handover#CLIENT_KEY}) gets an id derived from that key, so a
 * repeated request is answered with the id of the first.
 */
public final class MailAcceptor {

    /** What the ingress hands over: json (the JSON contract) or rfc822 (a raw message). */
    public enum Format {
        JSON, RFC822
    }

    private final long maxBytes;
    private final SenderPolicy senderPolicy;
    private final JsonMailRequestReader jsonReader;
    private final MimeMessageFactory mimeFactory = new MimeMessageFactory();
    private final RawMessageReader rawReader = new RawMessageReader();

    public MailAcceptor(AcceptSettings settings) {
        this.maxBytes = settings.maxBytes();
        this.senderPolicy = new SenderPolicy(settings.sendersAllowed());
        this.jsonReader = new JsonMailRequestReader(maxBytes);
    }

    /** The route's step: body and headers in, the queue's body and headers out. */
    public void accept(Exchange exchange) throws RejectedMessageException, IOException {
        Message in = exchange.getMessage();
        @SuppressWarnings("unchecked")
        List<String> submitterSenders = exchange.getProperty(SenderPolicy.REQUEST_PATTERNS, List.class);
        AcceptedMessage accepted;
        if (in.getBody() instanceof MergeRequestReader.Item item) {
            // one recipient of a merge request, read and rendered already
            if (item.problems() != null) {
                throw item.problems();
            }
            exchange.setProperty(Handover.MERGED, true);
            accepted = checked(built(item.request(), null), submitterSenders);
        } else if (in.getBody() instanceof JsonNode item) {
            // an item of an HTTP batch, parsed with the batch (the batch as a whole was size-checked)
            String givenKey = clientKey(exchange.getProperty(Handover.CLIENT_KEY, String.class));
            accepted = checked(built(jsonReader.read(item), givenKey), submitterSenders);
        } else {
            byte[] input = BoundedBody.read(in, maxBytes, "the request",
                    "is empty; send a JSON mail request or an RFC 5322 message");
            accepted = accept(input, format(exchange.getProperty(Handover.FORMAT, String.class), input),
                    exchange.getProperty(Handover.ENVELOPE, Envelope.class),
                    exchange.getProperty(Handover.CLIENT_KEY, String.class), submitterSenders);
        }
        // from here on the headers are the queue contract, each written from accept's own state
        in.removeHeaders("*");
        in.setBody(accepted.mime());
        in.setHeader(MessageHeaders.ID, accepted.id());
        if (accepted.clientId() != null) {
            in.setHeader(MessageHeaders.CLIENT_ID, accepted.clientId());
        }
        in.setHeader(MessageHeaders.INGRESS, exchange.getProperty(Handover.INGRESS, "-", String.class));
        in.setHeader(MessageHeaders.SENDER, accepted.envelope().senderAddress());
        in.setHeader(MessageHeaders.RECIPIENTS, accepted.envelope().recipientsLine());
        in.setHeader(MessageHeaders.SIZE, (long) accepted.mime().length);
        in.setHeader(MessageHeaders.ACCEPTED_AT, System.currentTimeMillis());
        // the SMTP listener's MAIL and RCPT parameters, or the JSON request's notify and returnContent
        Dsn dsn = exchange.getProperty(Handover.DSN, accepted.dsn(), Dsn.class);
        if (dsn.given()) {
            in.setHeader(MessageHeaders.DSN_NOTIFY, dsn.notifyLine());
            in.setHeader(MessageHeaders.DSN_RET, dsn.retLine());
            in.setHeader(MessageHeaders.DSN_ENVID, dsn.envidLine());
            in.setHeader(MessageHeaders.DSN_ORCPT, dsn.orcptLine());
        }
    }

    /**
     * @param given the envelope the ingress knows (raw messages only), or null
     * @param clientKey the key the ingress was given (Idempotency-Key), or null; it wins over a JSON id
     * @param submitterSenders the senders whoever submitted it may use (API key, SMTP user), or null for any
     */
    public AcceptedMessage accept(byte[] input, Format format, Envelope given, String clientKey,
                                  List<String> submitterSenders) throws RejectedMessageException {
        String givenKey = clientKey(clientKey);
        if (blank(input)) {
            // an empty JMS BytesMessage arrives as four NUL bytes from Artemis
            throw new RejectedMessageException("$", "is empty" + (input.length == 0 ? "" : " (nothing but blanks or"
                    + " NUL bytes)") + "; send a JSON mail request or an RFC 5322 message");
        }
        Built built;
        if (format == Format.JSON) {
            built = built(jsonReader.read(input), givenKey);
        } else {
            built = rawReader.read(input, given, idFor(givenKey), givenKey);
        }
        return checked(built, submitterSenders);
    }

    /** A JSON request built, under the key the ingress was given or else the request's own id. */
    private Built built(MailRequest request, String givenKey) throws RejectedMessageException {
        String key = givenKey != null ? givenKey : request.clientId();
        return mimeFactory.build(request, idFor(key), key);
    }

    /** The sender policy, and the size of what was built. */
    private AcceptedMessage checked(Built built, List<String> submitterSenders) throws RejectedMessageException {
        senderPolicy.check(built.senders(), submitterSenders);
        AcceptedMessage accepted = built.message();
        if (accepted.mime().length > maxBytes) {
            throw BoundedBody.tooLarge("the built MIME message is " + accepted.mime().length + " bytes", maxBytes);
        }
        return accepted;
    }

    private static boolean blank(byte[] input) {
        for (byte b : input) {
            if (b != 0 && !Character.isWhitespace(b)) {
                return false;
            }
        }
        return true;
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

    /** The ingress says which format it carries; when it does not, a leading '{' or '[' means JSON. */
    private static Format format(String declared, byte[] input) {
        if (declared != null && !declared.isBlank()) {
            return declared.toLowerCase(Locale.ROOT).equals("json") ? Format.JSON : Format.RFC822;
        }
        for (byte b : input) {
            if (!Character.isWhitespace(b)) {
                return b == '{' || b == '[' ? Format.JSON : Format.RFC822;
            }
        }
        return Format.RFC822;
    }
}
