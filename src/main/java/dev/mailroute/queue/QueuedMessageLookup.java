package dev.mailroute.queue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.mailroute.message.MessageHeaders;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

/**
 * One message on mailroute's queues, found by its mailroute id, for an operator to look at. A
 * message waiting on a queue is read with a browser whose selector names the id, so the broker
 * picks it and nothing else crosses the wire; of its MIME only the first {@link #MAX_READ} bytes are
 * read. A scheduled (deferred) message is invisible to a browser on Artemis, and the broker's
 * management lists scheduled messages only all at once and without their body: for those the answer
 * has the envelope and the retry time, not the content.
 */
public final class QueuedMessageLookup {

    /** Bytes of a message's MIME read at most: enough for its headers and a preview, never a whole large message. */
    public static final int MAX_READ = 1024 * 1024;
    private static final String SCHEDULED_AT = "_AMQ_SCHED_DELIVERY";
    private final ConnectionFactory factory;
    /** Where a message may wait: the delivery queues, mail.held and mail.failed. */
    private final List<String> queues;

    /** @param deliveryQueues mail.outbound and the named relays' queues */
    public QueuedMessageLookup(ConnectionFactory factory, List<String> deliveryQueues) {
        this.factory = factory;
        List<String> queues = new java.util.ArrayList<>(deliveryQueues);
        queues.add(QueueOperations.HELD);
        queues.add(QueueOperations.FAILED);
        this.queues = List.copyOf(queues);
    }

    /**
     * What the broker has of one message.
     *
     * @param queue where it waits: mail.outbound, a relay's mail.relay.&lt;name&gt;, mail.held or mail.failed
     * @param deferredUntil when it is tried next (epoch millis), null unless scheduled
     * @param properties mailroute's headers on it ({@link MessageHeaders#CONTRACT})
     * @param mime the first bytes of its MIME, null for a scheduled message (the broker does not give them)
     * @param cut true when the MIME is longer than what was read
     */
    public record Found(String queue, Long deferredUntil, Map<String, Object> properties, byte[] mime, boolean cut) {
    }

    /** The message with this id, or empty; an id not of mailroute's form is never looked up. */
    public Optional<Found> find(String id) throws JMSException {
        if (!MessageSelectors.isId(id)) {
            return Optional.empty();
        }
        String selector = MessageSelectors.byIds(List.of(id)).get(0);
        try (Connection connection = factory.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            connection.start();
            for (String queue : queues) {
                try (QueueBrowser browser = session.createBrowser(session.createQueue(queue), selector)) {
                    var messages = browser.getEnumeration();
                    if (messages.hasMoreElements()) {
                        return Optional.of(read(queue, (Message) messages.nextElement()));
                    }
                }
            }
        }
        return scheduled(id);
    }

    private Optional<Found> scheduled(String id) throws JMSException {
        try (BrokerManagement broker = BrokerManagement.open(factory)) {
            // mail.failed too: a copy whose requeue rolled back waits out the broker's redelivery delay
            for (String queue : queues) {
                if (QueueOperations.scheduled(broker, queue) == 0) {
                    continue;
                }
                for (Object entry : broker.scheduledMessages(queue)) {
                    if (entry instanceof Map<?, ?> map && id.equals(String.valueOf(map.get(MessageHeaders.ID)))) {
                        Map<String, Object> properties = new LinkedHashMap<>();
                        for (String name : MessageHeaders.CONTRACT) {
                            if (map.get(name) != null) {
                                properties.put(name, map.get(name));
                            }
                        }
                        Long at = map.get(SCHEDULED_AT) instanceof Number n ? n.longValue() : null;
                        return Optional.of(new Found(queue, at, properties, null, false));
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static Found read(String queue, Message message) throws JMSException {
        Map<String, Object> properties = new LinkedHashMap<>();
        for (String name : MessageHeaders.CONTRACT) {
            Object value = message.getObjectProperty(name);
            if (value != null) {
                properties.put(name, value);
            }
        }
        byte[] mime;
        boolean cut;
        if (message instanceof BytesMessage bytes) {
            long length = bytes.getBodyLength();
            mime = new byte[(int) Math.min(length, MAX_READ)];
            bytes.readBytes(mime);
            cut = length > MAX_READ;
        } else if (message instanceof TextMessage text && text.getText() != null) {
            String body = text.getText();
            String head = body.length() > MAX_READ ? body.substring(0, MAX_READ) : body;
            mime = head.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            cut = head.length() < body.length();
        } else {
            mime = new byte[0];
            cut = false;
        }
        return new Found(queue, null, properties, mime, cut);
    }
}
