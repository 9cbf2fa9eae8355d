package dev.mailroute.ledger;

import java.util.List;

/**
 * What the stages tell the ledger: a message was accepted, or a delivery attempt ended. Built by
 * the stage that knows it, from mailroute's own state; every text in it that came from outside
 * (a subject, a relay's reply) is made one line and bounded when the event is made.
 */
public sealed interface LedgerEvent {

    /** The message's id (mailroute's queue id). */
    String id();

    /**
     * A message on the queue.
     *
     * @param ingress smtp, http, jms, file, merge or report
     * @param reportOf for a delivery status report: the message it reports on; otherwise null
     * @param submitter who submitted it, for people to read (API key name, SMTP user and address, JMS user, file name)
     * @param apiKey the name of the API key it came with, or null: only that key (and an admin key) may read it back
     * @param subject null when subjects are not kept
     */
    record Accepted(String id, String messageId, String ingress, String submitter, String apiKey, String sender,
                    long sizeBytes, long acceptedAt, String subject, List<String> recipients, String reportOf)
            implements LedgerEvent {
    }

    /**
     * One delivery attempt's end, for each recipient it covered.
     *
     * @param attempt 1 for the first attempt
     * @param relay host:port of the relay, or the pickup file written
     */
    record Attempt(String id, int attempt, long at, String transport, String relay, long durationMillis,
                   List<Outcome> outcomes) implements LedgerEvent {
    }

    /**
     * One recipient's outcome of an attempt.
     *
     * @param state delivered, deferred, bounced, failed or expired
     * @param replyCode the SMTP reply, -1 when there was none
     */
    record Outcome(String address, String state, int replyCode, String enhancedStatus, String text) {
    }

    /**
     * An operator moved messages on the queue (hold, release, delete): each recipient of these
     * messages that is in one of {@code from} is now in {@code to}, with {@code note} (who did it) as
     * its reply text. An attempt that ends later, with a higher number, still has the last word: a
     * message being delivered while it was put on hold ends as its delivery does.
     *
     * @param ids the messages, or null for every message
     * @param from the states the operation applies to
     * @param to held, queued (released) or deleted
     */
    record Operated(List<String> ids, List<String> from, String to, String note, long at) implements LedgerEvent {

        @Override
        public String id() {
            return ids == null || ids.isEmpty() ? "*" : ids.get(0);
        }
    }
}
