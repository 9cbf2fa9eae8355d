package dev.mailroute.ledger;

import java.util.List;

/**
 * One message as the ledger tells it: what was accepted, and where each recipient stands. Read by
 * {@link LedgerQueries}; every text in it is as stored (one line, bounded), to be escaped wherever
 * it is shown.
 *
 * @param subject null when subjects are not kept
 * @param recipientCount how many recipients the message has; {@code recipients} may show fewer
 */
public record MessageStory(String id, String messageId, String ingress, String submitter, String sender,
                           long sizeBytes, long acceptedAt, String subject, String reportOf, int recipientCount,
                           List<Recipient> recipients) {

    /**
     * @param replyCode the last SMTP reply, or null
     * @param deferrals the distinct replies of the attempts that deferred it, with how many did; the most frequent first
     * @param attempts every attempt, in order; empty unless asked for
     */
    public record Recipient(String address, String state, int attemptCount, Integer replyCode, String replyStatus,
                            String replyText, long changedAt, List<Deferral> deferrals, List<Attempt> attempts) {
    }

    /** A reply that deferred delivery, as {@code 451 4.3.0 text}, and how many attempts got it. */
    public record Deferral(String reply, int count) {
    }

    /** @param relay host:port, or the pickup folder */
    public record Attempt(int attempt, long at, String transport, String relay, String outcome, Integer replyCode,
                          String replyStatus, String replyText, Long durationMillis) {
    }
}
