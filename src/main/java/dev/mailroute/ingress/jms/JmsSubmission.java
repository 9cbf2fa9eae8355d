package dev.mailroute.ingress.jms;

import dev.mailroute.accept.RejectedMessageException;
import jakarta.jms.BytesMessage;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import org.apache.camel.Exchange;
import org.apache.camel.component.jms.JmsMessage;

/**
 * What mail.submit takes: a TextMessage (a JSON request or an RFC 5322 message) or a BytesMessage
 * (an RFC 5322 message). Anything else is refused before its body is touched — above all an
 * ObjectMessage, whose body is a serialized Java object: reading it would deserialize whatever a
 * client sent. (mailroute's connection factory also denies every class for deserialization.)
 */
public final class JmsSubmission {

    /** Exchange property: the refused message's body as it goes to mail.rejected, instead of the original. */
    private static final String REFUSED = "mailrouteRefusedBody";

    /** The route's first step: refuses what is not text or bytes. */
    public void check(Exchange exchange) throws RejectedMessageException {
        Message jms = exchange.getMessage(JmsMessage.class).getJmsMessage();
        if (jms instanceof TextMessage || jms instanceof BytesMessage) {
            return; // an empty one is refused by accept, as from any ingress
        }
        String type = jms.getClass().getSimpleName().replaceFirst("^ActiveMQ", "");
        exchange.setProperty(REFUSED, "(the body of this " + type + " was not read: mailroute takes text and bytes"
                                      + " messages only)");
        throw new RejectedMessageException("$", "is a JMS " + type + "; send the request as a TextMessage (JSON or"
                                                + " RFC 5322) or a BytesMessage (RFC 5322) — mailroute never reads"
                                                + " Java objects");
    }

    /** Before a refused message goes to mail.rejected: a body that was never read is not read now either. */
    public void forRejected(Exchange exchange) {
        String refused = exchange.getProperty(REFUSED, String.class);
        if (refused != null) {
            exchange.getMessage().setBody(refused);
        }
    }
}
