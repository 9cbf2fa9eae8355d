package dev.mailroute.queue;

import java.nio.charset.StandardCharsets;

import dev.mailroute.message.MessageHeaders;
import jakarta.jms.Message;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQMessage;
import org.apache.camel.Exchange;
import org.apache.camel.component.jms.MessageCreatedStrategy;

/**
 * Gives a message with a client key the duplicate id Artemis checks atomically: its id (made from
 * the key), as {@code _AMQ_BRIDGE_DUP}. Artemis' usual duplicate id ({@code _AMQ_DUPL_ID}) is
 * looked up and recorded in two steps; in the scale-out test two instances sending one key at the
 * same moment both got through with it. The id Artemis' core bridges use for exactly-once
 * forwarding is verified and recorded in one synchronized step and stored with the message in one
 * journal transaction; a duplicate is dropped, and the send returns as for the first. (The cache
 * it goes into is the address's with "BRIDGE." in front: its size is the id-cache-size of
 * BRIDGE.mail.outbound.)
 */
public final class KeyedDuplicateId implements MessageCreatedStrategy {

    @Override
    public void onMessageCreated(Message message, Session session, Exchange exchange, Throwable cause) {
        String id = exchange.getMessage().getHeader(MessageHeaders.ID, String.class);
        if (id == null || !(message instanceof ActiveMQMessage artemis)) {
            throw new IllegalStateException("a keyed message needs its id and an Artemis JMS message, got "
                                            + (message == null ? "null" : message.getClass().getName()));
        }
        artemis.getCoreMessage().putBytesProperty(org.apache.activemq.artemis.api.core.Message.HDR_BRIDGE_DUPLICATE_ID,
                id.getBytes(StandardCharsets.US_ASCII));
        // a keyed inbox file is recognised after a crash by its key; its file identity must not go
        // onto the next message the exchange sends (a webhook event) instead
        exchange.removeProperty(FileDuplicateId.PROPERTY);
    }
}
