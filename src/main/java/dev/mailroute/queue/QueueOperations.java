package dev.mailroute.queue;

import java.util.List;

import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;

/**
 * What an operator does to queued mail, through the broker's management (embedded or external
 * alike): hold (mail.outbound to mail.held), release (back), delete (from both), retry (deferred
 * messages due now). Each takes the selectors of {@link MessageSelectors} and answers how many
 * messages the broker touched. A message being delivered at that moment is not on the queue for the
 * broker and is not touched: its delivery ends as it would have.
 */
public final class QueueOperations {

    public static final String OUTBOUND = "mail.outbound";
    public static final String HELD = "mail.held";
    public static final String FAILED = "mail.failed";

    private final ConnectionFactory factory;

    /** @param factory a connection factory with the {@code manage} permission (mailroute's own account) */
    public QueueOperations(ConnectionFactory factory) {
        this.factory = factory;
    }

    /** What waits on the queues, from the broker. */
    public record Depths(long outbound, long deferred, long held, long failed) {
    }

    public Depths depths() throws JMSException {
        try (BrokerManagement broker = BrokerManagement.open(factory)) {
            return new Depths(broker.messageCount(OUTBOUND), broker.scheduledCount(OUTBOUND),
                    broker.messageCount(HELD), broker.messageCount(FAILED));
        }
    }

    /** One message by its id, for an operator to look at. */
    public QueuedMessageLookup lookup() {
        return new QueuedMessageLookup(factory);
    }

    /** Messages on a queue, scheduled ones included. */
    public long count(String queue) throws JMSException {
        try (BrokerManagement broker = BrokerManagement.open(factory)) {
            return broker.messageCount(queue);
        }
    }

    /** Scheduled (deferred) messages on mail.outbound. */
    public long deferred() throws JMSException {
        try (BrokerManagement broker = BrokerManagement.open(factory)) {
            return broker.scheduledCount(OUTBOUND);
        }
    }

    /** mail.outbound to mail.held; deferred messages too, and they keep their retry time. */
    public long hold(List<String> selectors) throws JMSException {
        return move(selectors, OUTBOUND, HELD);
    }

    /** mail.held back to mail.outbound; a deferred one is tried at its retry time (or now, if that has passed). */
    public long release(List<String> selectors) throws JMSException {
        return move(selectors, HELD, OUTBOUND);
    }

    /** Removed from mail.outbound and mail.held, deferred ones too. */
    public long delete(List<String> selectors) throws JMSException {
        long removed = 0;
        try (BrokerManagement broker = BrokerManagement.open(factory)) {
            for (String selector : selectors) {
                removed += broker.removeMessages(OUTBOUND, selector);
                removed += broker.removeMessages(HELD, selector);
            }
        }
        return removed;
    }

    /**
     * The deferred messages on mail.outbound that match, offered for delivery now. The broker does
     * not say how many it offered: the answer is how many fewer wait for their time afterwards,
     * which counts a message another delivery deferred meanwhile against it (never below 0).
     */
    public long retry(List<String> selectors) throws JMSException {
        try (BrokerManagement broker = BrokerManagement.open(factory)) {
            long before = broker.scheduledCount(OUTBOUND);
            for (String selector : selectors) {
                broker.deliverScheduledMessages(OUTBOUND, selector);
            }
            return Math.max(0, before - broker.scheduledCount(OUTBOUND));
        }
    }

    private long move(List<String> selectors, String from, String to) throws JMSException {
        long moved = 0;
        try (BrokerManagement broker = BrokerManagement.open(factory)) {
            for (String selector : selectors) {
                moved += broker.moveMessages(from, selector, to);
            }
        }
        return moved;
    }
}
