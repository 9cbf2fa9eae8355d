package dev.mailroute.queue;

import java.nio.charset.StandardCharsets;

import jakarta.jms.Message;
import jakarta.jms.Session;

import org.apache.activemq.artemis.jms.client.ActiveMQMessage;
import org.apache.camel.Exchange;
import org.apache.camel.component.jms.MessageCreatedStrategy;

/**
 * Gives a message accepted from an inbox file Artemis' duplicate id ({@code _AMQ_DUPL_ID}): the
 * file's identity, which the inbox puts on the exchange as the property {@link #PROPERTY}. The broker
 * records it with the message in the same commit, so a file whose message was committed but which a
 * crash left undeleted is recognised when it is read again after the restart: its commit is refused
 * as a duplicate, and the inbox deletes the file instead of queuing its mail twice
 * ({@code InboxTransaction}).
 *
 * <p>A property, not a header: no client can set it, and nothing copies it onto a retry or a relay's
 * copy (those carry the queue contract only), which the broker would otherwise drop as duplicates.
 */
public final class FileDuplicateId implements MessageCreatedStrategy {

    /** The exchange property with the file's identity; only the inbox sets it. */
    public static final String PROPERTY = "mailrouteFileIdentity";

    @Override
    public void onMessageCreated(Message message, Session session, Exchange exchange, Throwable cause) {
        // taken by the first message the exchange sends, its mail to mail.outbound (routes/enqueue.yaml;
        // a keyed mail goes through jmsKeyed, whose KeyedDuplicateId drops it): the webhook events sent
        // after it in the same transaction must not carry it too
        String identity = exchange == null ? null : (String) exchange.removeProperty(PROPERTY);
        if (identity != null && message instanceof ActiveMQMessage artemis) {
            artemis.getCoreMessage().putBytesProperty(org.apache.activemq.artemis.api.core.Message.HDR_DUPLICATE_DETECTION_ID,
                    identity.getBytes(StandardCharsets.US_ASCII));
        }
    }
}
