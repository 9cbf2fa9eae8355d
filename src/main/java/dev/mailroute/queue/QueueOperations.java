package dev.mailroute.queue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.mailroute.message.MessageHeaders;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;

/**
 * What an operator does to queued mail, through the broker's management (embedded or external
 * alike): hold (the delivery queues to mail.held), release (back to mail.outbound), delete (from
 * them all), retry (deferred messages due now). The delivery queues are mail.outbound and each
 * named relay's mail.relay.&lt;name&gt; (docs/routing.md); a message released, requeued or put back
 * goes to mail.outbound, where the routing table in force routes it again. Each takes the selectors of {@link MessageSelectors} and answers how many
 * messages the broker touched; requeue (mail.failed back to mail.outbound) takes each parked copy
 * off mail.failed and sends a new one, as no management operation can change a message. A message being delivered at that moment is not on the queue for the
 * broker and is not touched: its delivery ends as it would have.
 */
public final class QueueOperations {

    public static final String OUTBOUND = "mail.outbound";
    public static final String HELD = "mail.held";
    public static final String FAILED = "mail.failed";
    /** What the named relays' queues begin with: mail.relay.&lt;name&gt;. */
    static final String RELAY_QUEUES = "mail.relay.";

    /**
     * How long one management call of an operation may take. The broker goes through the whole
     * queue for each selector (paged messages read back from disk): a bulk delete over 100,000
     * queued messages outlasted the 5 s of a question about the broker (bench/run.sh queue).
     */
    public static final long ANSWER_MILLIS = 120_000;

    private final ConnectionFactory factory;
    /** Where messages wait for delivery: mail.outbound first, then each named relay's queue. */
    private final List<String> deliveryQueues;

    /** @param factory a connection factory with the {@code manage} permission (mailroute's own account) */
    public QueueOperations(ConnectionFactory factory) {
        this(factory, List.of());
    }

    /** @param relayQueues the named relays' queues (mail.relay.&lt;name&gt;), besides mail.outbound */
    public QueueOperations(ConnectionFactory factory, List<String> relayQueues) {
        this.factory = factory;
        List<String> queues = new ArrayList<>(List.of(OUTBOUND));
        queues.addAll(relayQueues);
        this.deliveryQueues = List.copyOf(queues);
    }

    /** mail.outbound and the named relays' queues. */
    public List<String> deliveryQueues() {
        return deliveryQueues;
    }

    /** What waits on the queues, from the broker. */
    public record Depths(long outbound, long deferred, long held, long failed) {
    }

    public Depths depths() throws JMSException {
        try (BrokerManagement broker = BrokerManagement.open(factory, ANSWER_MILLIS)) {
            long waiting = 0;
            long deferred = 0;
            for (String queue : deliveryQueues) {
                waiting += count(broker, queue);
                deferred += scheduled(broker, queue);
            }
            return new Depths(waiting, deferred, broker.messageCount(HELD), broker.messageCount(FAILED));
        }
    }

    /** One message by its id, for an operator to look at. */
    public QueuedMessageLookup lookup() {
        return new QueuedMessageLookup(factory, deliveryQueues);
    }

    /** Messages on a queue, scheduled ones included. */
    public long count(String queue) throws JMSException {
        try (BrokerManagement broker = BrokerManagement.open(factory, ANSWER_MILLIS)) {
            return broker.messageCount(queue);
        }
    }

    /** Messages waiting for delivery: on mail.outbound and the named relays' queues, deferred ones too. */
    public long waiting() throws JMSException {
        return sumOverDeliveryQueues(QueueOperations::count);
    }

    /** Scheduled (deferred) messages on the delivery queues. */
    public long deferred() throws JMSException {
        return sumOverDeliveryQueues(QueueOperations::scheduled);
    }

    /** What a broker says of one queue. */
    private interface QueueCount {
        long of(BrokerManagement broker, String queue) throws JMSException;
    }

    private long sumOverDeliveryQueues(QueueCount count) throws JMSException {
        try (BrokerManagement broker = BrokerManagement.open(factory, ANSWER_MILLIS)) {
            long sum = 0;
            for (String queue : deliveryQueues) {
                sum += count.of(broker, queue);
            }
            return sum;
        }
    }

    /** The delivery queues to mail.held; deferred messages too, and they keep their retry time. */
    public long hold(List<String> selectors) throws JMSException {
        long held = 0;
        for (String queue : deliveryQueues) {
            held += move(selectors, queue, HELD);
        }
        return held;
    }

    /**
     * mail.held back to mail.outbound; a deferred one is tried at its retry time (or now, if that has
     * passed), and routed by the table in force then.
     */
    public long release(List<String> selectors) throws JMSException {
        return move(selectors, HELD, OUTBOUND);
    }

    /** Removed from the delivery queues and mail.held, deferred ones too. */
    public long delete(List<String> selectors) throws JMSException {
        long removed = 0;
        try (BrokerManagement broker = BrokerManagement.open(factory, ANSWER_MILLIS)) {
            for (String selector : selectors) {
                for (String queue : deliveryQueues) {
                    removed += removeFrom(broker, queue, selector);
                }
                removed += broker.removeMessages(HELD, selector);
            }
        }
        return removed;
    }

    /** A report to queue in place of a deleted message: its mailroute id, MIME and contract headers. */
    public record Notice(String id, byte[] mime, Map<String, Object> headers) {
    }

    /** What a delete that tells the senders asks of its caller, for each message it takes off the queue. */
    public interface Telling {
        /** The report on this message, or null when its sender gets none. */
        Notice notice(String id, byte[] mime, Map<String, Object> contract);

        /** The message is gone and its report (null: none) on mail.outbound, in one commit. */
        void told(String id, Notice notice);
    }

    /**
     * Where a delete that tells the senders keeps the messages it is working on, by the queue each
     * came from, so that what it does not finish goes back there ({@link #restoreInterruptedDeletes}).
     */
    public static final String DELETING_OUTBOUND = "mail.deleting.outbound";
    public static final String DELETING_HELD = "mail.deleting.held";

    /**
     * Deletes these messages and queues a report to each one's sender (Exchange's
     * {@code Remove-Message -WithNDR}). A report needs the message's bytes, which the broker's
     * management does not give, so each message is taken off the queue in a local transaction that
     * also sends its report. First the messages are moved out of delivery's way, to a queue of their
     * own by the queue they came from ({@link #DELETING_OUTBOUND}, {@link #DELETING_HELD}), where
     * nothing consumes, and the deferred ones among them are made due there. Whatever is not deleted
     * (a failure part-way) goes back where it came from before this returns; after a crash, at the
     * next start. A message whose bytes are not mailroute's is deleted without a report. A message a delivery already has in hand is not touched
     * (docs/queue.md, races).
     *
     * @return the ids of the messages deleted
     */
    public List<String> deleteTelling(List<String> ids, Telling telling) throws JMSException {
        List<String> selectors = MessageSelectors.byIds(ids);
        Set<String> deleted = new LinkedHashSet<>();
        try (Connection connection = factory.createConnection()) {
            connection.start();
            Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            Queue fromOutbound = session.createQueue(DELETING_OUTBOUND);
            Queue fromHeld = session.createQueue(DELETING_HELD);
            // a consumer makes the broker create a queue it does not have yet (mail.# auto-creates)
            session.createConsumer(fromOutbound).close();
            session.createConsumer(fromHeld).close();
            try {
                // from a relay's queue too: what is not deleted goes back to mail.outbound, routed again
                for (String queue : deliveryQueues) {
                    move(selectors, queue, DELETING_OUTBOUND);
                }
                move(selectors, HELD, DELETING_HELD);
                try (BrokerManagement broker = BrokerManagement.open(factory, ANSWER_MILLIS)) {
                    for (String selector : selectors) {
                        broker.deliverScheduledMessages(DELETING_OUTBOUND, selector);
                        broker.deliverScheduledMessages(DELETING_HELD, selector);
                    }
                }
                MessageProducer producer = session.createProducer(session.createQueue(OUTBOUND));
                // one consumer per chunk of ids, not per id: a selector is evaluated against every
                // message on the queue, and a runaway sender's delete names thousands
                for (String selector : selectors) {
                    for (Queue queue : List.of(fromOutbound, fromHeld)) {
                        try (MessageConsumer consumer = session.createConsumer(queue, selector)) {
                            for (Message taken = consumer.receiveNoWait(); taken != null;
                                 taken = consumer.receiveNoWait()) {
                                deleteTelling(session, producer, taken, telling, deleted);
                            }
                        }
                    }
                }
            } finally {
                // what was not deleted goes back: to be delivered, or to stay held
                move(selectors, DELETING_OUTBOUND, OUTBOUND);
                move(selectors, DELETING_HELD, HELD);
            }
        }
        return List.copyOf(deleted);
    }

    /**
     * One message taken off, with its report sent in its place, in one commit. A second copy of a
     * message already told of, or a message whose bytes are not mailroute's, goes without a report.
     */
    private static void deleteTelling(Session session, MessageProducer producer, Message taken, Telling telling,
                                      Set<String> deleted) throws JMSException {
        String id = taken.getStringProperty(MessageHeaders.ID);
        Notice notice = null;
        if (taken instanceof BytesMessage message && id != null && !deleted.contains(id)) {
            byte[] mime = new byte[(int) message.getBodyLength()];
            message.readBytes(mime);
            Map<String, Object> contract = new HashMap<>();
            for (Object name : Collections.list(message.getPropertyNames())) {
                if (MessageHeaders.CONTRACT.contains(String.valueOf(name))) {
                    contract.put(String.valueOf(name), message.getObjectProperty(String.valueOf(name)));
                }
            }
            try {
                notice = telling.notice(id, mime, contract);
            } catch (RuntimeException e) {
                session.rollback();
                throw e;
            }
            if (notice != null) {
                BytesMessage report = session.createBytesMessage();
                report.writeBytes(notice.mime());
                for (Map.Entry<String, Object> header : notice.headers().entrySet()) {
                    report.setObjectProperty(header.getKey(), header.getValue());
                }
                producer.send(report);
            }
        }
        session.commit();
        if (id != null && deleted.add(id)) {
            telling.told(id, notice);
        }
    }

    /** Messages on a queue; 0 for a queue an external broker does not have (yet). */
    private static long count(BrokerManagement broker, String queue) {
        try {
            return broker.messageCount(queue);
        } catch (JMSException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * Scheduled messages on a queue; 0 for a relay's queue the broker does not have yet (it is made
     * when the relay's route first starts). Any other queue is always there: a failure to ask is
     * the caller's to see.
     */
    static long scheduled(BrokerManagement broker, String queue) throws JMSException {
        if (!queue.startsWith(RELAY_QUEUES)) {
            return broker.scheduledCount(queue);
        }
        try {
            return broker.scheduledCount(queue);
        } catch (JMSException | RuntimeException notMade) {
            return 0;
        }
    }

    private static long removeFrom(BrokerManagement broker, String queue, String selector) throws JMSException {
        if (queue.equals(OUTBOUND) || count(broker, queue) > 0) {
            return broker.removeMessages(queue, selector);
        }
        return 0;
    }

    /**
     * Moves back what a delete that tells the senders left behind when mailroute stopped in the middle
     * of it: called at the start. Deferred messages among them are due at once.
     *
     * @return the messages moved back
     */
    public long restoreInterruptedDeletes() throws JMSException {
        long moved = 0;
        try (BrokerManagement broker = BrokerManagement.open(factory, ANSWER_MILLIS)) {
            for (String[] fromTo : new String[][] {{DELETING_OUTBOUND, OUTBOUND}, {DELETING_HELD, HELD}}) {
                if (count(broker, fromTo[0]) > 0) {
                    moved += broker.moveMessages(fromTo[0], MessageSelectors.ALL, fromTo[1]);
                }
            }
        }
        return moved;
    }

    /**
     * Puts back on mail.outbound, to be routed again, what waits on the queue of a relay the
     * configuration no longer has (mail.relay.&lt;name&gt; of a relay removed or renamed since): called at
     * the start, so that no part waits for a consumer that will never come. Deferred ones are due at once.
     *
     * @return each such queue with the messages moved from it
     */
    public Map<String, Long> restoreRemovedRelays() throws JMSException {
        Map<String, Long> moved = new java.util.LinkedHashMap<>();
        try (BrokerManagement broker = BrokerManagement.open(factory, ANSWER_MILLIS)) {
            for (String queue : broker.queueNames()) {
                if (queue.startsWith(RELAY_QUEUES) && !deliveryQueues.contains(queue) && count(broker, queue) > 0) {
                    broker.deliverScheduledMessages(queue, MessageSelectors.ALL);
                    moved.put(queue, broker.moveMessages(queue, MessageSelectors.ALL, OUTBOUND));
                }
            }
        }
        return moved;
    }

    /**
     * The deferred messages on the delivery queues that match, offered for delivery now. The broker does
     * not say how many it offered: the answer is how many fewer wait for their time afterwards,
     * which counts a message another delivery deferred meanwhile against it (never below 0).
     */
    public long retry(List<String> selectors) throws JMSException {
        try (BrokerManagement broker = BrokerManagement.open(factory, ANSWER_MILLIS)) {
            long due = 0;
            for (String queue : deliveryQueues) {
                long before = scheduled(broker, queue);
                if (before == 0) {
                    continue;
                }
                for (String selector : selectors) {
                    broker.deliverScheduledMessages(queue, selector);
                }
                due += Math.max(0, before - scheduled(broker, queue));
            }
            return due;
        }
    }

    /** What a requeue asks of its caller for each message, around the broker's transaction. */
    public interface Requeuing {
        /**
         * Asked while the parked copies are only browsed, so that a message left where it is was
         * never taken (a rolled-back receive would count a delivery on it and delay it).
         *
         * @param onCopies the recipients the parked copies of this message name
         * @return the recipients to send it to again (a subset of onCopies); empty: leave the copies on mail.failed
         */
        Set<String> recipients(String id, Set<String> onCopies);

        /** Called before the copies are taken off mail.failed. */
        void before(String id);

        /** Called right before the commit that sends the new copy and removes the parked ones. */
        void committing(String id);

        /** Called when that commit failed: the parked copies stay on mail.failed. */
        void notCommitted(String id, JMSException reason);

        /** Called once the new copy is on mail.outbound and the parked ones are gone (committed). */
        void after(String id);
    }

    /**
     * mail.failed back to mail.outbound, one message (all its parked copies: a partial failure and
     * a later expiry each left one) in one local transaction: the parked copies are consumed and one
     * new message is sent with the same bytes, for the recipients {@code requeuing} names, and a
     * fresh retry window (the first-attempt time, last error and failure reason are dropped). The
     * attempt count is kept: it numbers the ledger's attempts, and the next one must come after the
     * attempts already recorded. A message whose recipients come out empty is left where it is.
     *
     * @return the messages requeued
     */
    public long requeue(List<String> ids, Requeuing requeuing) throws JMSException {
        long requeued = 0;
        try (Connection connection = factory.createConnection()) {
            connection.start();
            Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            Queue failed = session.createQueue(FAILED);
            MessageProducer producer = session.createProducer(session.createQueue(OUTBOUND));
            for (String id : ids) {
                List<String> selector = MessageSelectors.byIds(List.of(id));
                if (selector.isEmpty()) {
                    continue;
                }
                Set<String> onCopies = new LinkedHashSet<>();
                try (QueueBrowser browser = session.createBrowser(failed, selector.get(0))) {
                    for (Object copy : Collections.list(browser.getEnumeration())) {
                        onCopies.addAll(addresses(((Message) copy).getStringProperty(MessageHeaders.RECIPIENTS)));
                    }
                }
                Set<String> recipients = onCopies.isEmpty() ? Set.of() : requeuing.recipients(id, onCopies);
                if (recipients.isEmpty()) {
                    continue;
                }
                requeuing.before(id);
                List<Message> copies = new ArrayList<>();
                Set<String> taken = new LinkedHashSet<>();
                try (MessageConsumer consumer = session.createConsumer(failed, selector.get(0))) {
                    // Artemis asks the broker for what matches now: no wait for messages that are not there
                    for (Message copy = consumer.receiveNoWait(); copy != null; copy = consumer.receiveNoWait()) {
                        copies.add(copy);
                        taken.addAll(addresses(copy.getStringProperty(MessageHeaders.RECIPIENTS)));
                    }
                }
                Set<String> again = new LinkedHashSet<>(recipients);
                again.retainAll(taken);
                if (again.isEmpty() || !(copies.get(0) instanceof BytesMessage parked)) {
                    // requeued by someone else since the browse
                    session.rollback();
                    continue;
                }
                producer.send(fresh(session, parked, copies, again));
                requeuing.committing(id);
                try {
                    session.commit();
                } catch (JMSException e) {
                    requeuing.notCommitted(id, e);
                    throw e;
                }
                requeued++;
                requeuing.after(id);
            }
        }
        return requeued;
    }

    /** The same bytes and contract headers, for these recipients, with the attempts so far and no retry window. */
    private static BytesMessage fresh(Session session, BytesMessage parked, List<Message> copies, Set<String> recipients)
            throws JMSException {
        byte[] body = new byte[(int) parked.getBodyLength()];
        parked.readBytes(body);
        BytesMessage message = session.createBytesMessage();
        message.writeBytes(body);
        for (String name : Collections.list((java.util.Enumeration<?>) parked.getPropertyNames())
                .stream().map(String::valueOf).toList()) {
            if (MessageHeaders.CONTRACT.contains(name) && !RETRY_WINDOW.contains(name)) {
                message.setObjectProperty(name, parked.getObjectProperty(name));
            }
        }
        int attempts = 0;
        for (Message copy : copies) {
            if (copy.propertyExists(MessageHeaders.ATTEMPTS)) {
                attempts = Math.max(attempts, copy.getIntProperty(MessageHeaders.ATTEMPTS));
            }
        }
        message.setIntProperty(MessageHeaders.ATTEMPTS, attempts);
        message.setStringProperty(MessageHeaders.RECIPIENTS, String.join(", ", recipients));
        return message;
    }

    /** What a requeued message leaves behind: its retry age counts again from its next attempt. */
    private static final Set<String> RETRY_WINDOW = Set.of(MessageHeaders.FIRST_ATTEMPT, MessageHeaders.LAST_ATTEMPT,
            MessageHeaders.LAST_ERROR, MessageHeaders.DELAY_NOTIFIED, MessageHeaders.FAILURE_REASON);

    private static List<String> addresses(String line) {
        if (line == null || line.isBlank()) {
            return List.of();
        }
        return java.util.Arrays.stream(line.split(",")).map(String::trim).filter(a -> !a.isEmpty()).toList();
    }

    private long move(List<String> selectors, String from, String to) throws JMSException {
        long moved = 0;
        try (BrokerManagement broker = BrokerManagement.open(factory, ANSWER_MILLIS)) {
            if (!from.equals(OUTBOUND) && deliveryQueues.contains(from) && count(broker, from) == 0) {
                return 0; // a relay's queue, empty or not made yet (it is made when its route first starts)
            }
            for (String selector : selectors) {
                moved += broker.moveMessages(from, selector, to);
            }
        }
        return moved;
    }
}
