package dev.mailroute.ingress.jms;

import java.util.Map;

import dev.mailroute.accept.MessageTooLargeException;
import dev.mailroute.accept.RejectedMessageException;
import dev.mailroute.ingress.ClientInput;
import dev.mailroute.message.InFlightBytes;
import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import org.apache.camel.Exchange;
import org.apache.camel.component.jms.JmsMessage;

/**
 * What mail.submit takes: a TextMessage (a JSON request or an RFC 5322 message) or a BytesMessage
 * (an RFC 5322 message). Anything else is refused before its body is touched — above all an
 * ObjectMessage, whose body is a serialized Java object: reading it would deserialize whatever a
 * client sent. The route consumes with {@code mapJmsMessage=false}, so the exchange's body is the
 * JMS message itself and nothing in Camel reads it; this check is what turns a text or bytes
 * message into the body the rest of the route reads. (mailroute's connection factory also denies
 * every class for deserialization.)
 */
public final class JmsSubmission {

    /** Exchange property: the refused message's body as it goes to mail.rejected, instead of the original. */
    private static final String REFUSED = "mailrouteRefusedBody";

    private final InFlightBytes inFlight;

    public JmsSubmission(InFlightBytes inFlight) {
        this.inFlight = inFlight;
    }

    /**
     * The route's first step: refuses what is not text or bytes, and makes the text (a String) or
     * the bytes (a byte[]) of what it takes the exchange's body. What it takes waits for room in
     * memory ({@link InFlightBytes}) for its size, held until the exchange is done.
     */
    public void check(Exchange exchange) throws RejectedMessageException, InterruptedException, JMSException {
        Message jms = exchange.getMessage(JmsMessage.class).getJmsMessage();
        if (jms instanceof TextMessage text) {
            // an empty one is refused by accept, as from any ingress
            String body = text.getText();
            inFlight.takeUntilDone(exchange, body == null ? 0 : body.length());
            exchange.getMessage().setBody(body);
            return;
        }
        if (jms instanceof BytesMessage bytes) {
            long length = bytes.getBodyLength();
            inFlight.takeUntilDone(exchange, length);
            exchange.getMessage().setBody(read(bytes, length));
            return;
        }
        String type = jms.getClass().getSimpleName().replaceFirst("^ActiveMQ", "");
        exchange.setProperty(REFUSED, "(the body of this " + type + " was not read: mailroute takes text and bytes"
                                      + " messages only)");
        throw new RejectedMessageException("$", "is a JMS " + type + "; send the request as a TextMessage (JSON or"
                                                + " RFC 5322) or a BytesMessage (RFC 5322) — mailroute never reads"
                                                + " Java objects");
    }

    /** All of it, as camel-jms would have read it: accept refuses what is over mailroute.message.maxBytes. */
    private static byte[] read(BytesMessage message, long length) throws JMSException, MessageTooLargeException {
        if (length > Integer.MAX_VALUE - 8) {
            throw new MessageTooLargeException("too large: the BytesMessage is " + length + " bytes, over"
                                               + " mailroute.message.maxBytes");
        }
        byte[] body = new byte[(int) length];
        message.reset();
        message.readBytes(body);
        return body;
    }

    /**
     * Before a refused message goes to mail.rejected: a body that was never read is not read now
     * either, and the client's own properties go with it as they came (never one in mailroute's
     * name space: those were dropped on the way in).
     */
    public void forRejected(Exchange exchange) {
        String refused = exchange.getProperty(REFUSED, String.class);
        if (refused != null) {
            exchange.getMessage().setBody(refused);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> own = exchange.getProperty(ClientInput.JMS_PROPERTIES, Map.class);
        if (own != null) {
            own.forEach(exchange.getMessage()::setHeader);
        }
    }
}
