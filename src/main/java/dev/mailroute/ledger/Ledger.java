package dev.mailroute.ledger;

import java.io.ByteArrayInputStream;
import java.io.UnsupportedEncodingException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.mailroute.message.Handover;
import dev.mailroute.message.MessageHeaders;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeUtility;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * What the stages call to write a message's story: {@link #accepted} once the message is on the
 * queue, {@link #attempt} when a delivery attempt ends. Neither waits for the database
 * ({@link LedgerWriter}). With the ledger switched off ({@code mailroute.ledger.enabled=false})
 * both do nothing.
 *
 * <p>Every text that came from outside is stored on one line, without control characters, and
 * bounded to its column; it is escaped again wherever it is shown.
 */
public final class Ledger {

    private static final Ledger OFF = new Ledger(null, false);

    private final LedgerWriter writer;
    private final boolean subjects;

    public Ledger(LedgerWriter writer, boolean subjects) {
        this.writer = writer;
        this.subjects = subjects;
    }

    public static Ledger off() {
        return OFF;
    }

    public boolean enabled() {
        return writer != null;
    }

    /** The enqueue route's last step: the message is on the queue. */
    public void accepted(Exchange exchange) {
        if (writer == null) {
            return;
        }
        Message in = exchange.getMessage();
        String ingress = Boolean.TRUE.equals(exchange.getProperty(Handover.MERGED, Boolean.class)) ? "merge"
                : in.getHeader(MessageHeaders.INGRESS, "-", String.class);
        afterCommit(acceptedEvent(in.getHeader(MessageHeaders.ID, String.class), in.getBody(byte[].class), ingress,
                exchange.getProperty(Handover.SUBMITTER, String.class), exchange.getProperty(Handover.API_KEY, String.class),
                in.getHeader(MessageHeaders.SENDER, String.class), in.getHeader(MessageHeaders.SIZE, 0L, Long.class),
                in.getHeader(MessageHeaders.ACCEPTED_AT, System.currentTimeMillis(), Long.class),
                in.getHeader(MessageHeaders.RECIPIENTS, String.class), exchange.getProperty(Handover.REPORT_OF, String.class)));
    }

    /**
     * A report an operator's delete queued ({@code queue delete --notify-sender}): no route's exchange
     * carries it, so its contract comes as the broker got it.
     */
    public void acceptedReport(String id, byte[] mime, Map<String, Object> contract, String submitter,
                               String reportOf) {
        if (writer == null) {
            return;
        }
        Object size = contract.get(MessageHeaders.SIZE);
        Object at = contract.get(MessageHeaders.ACCEPTED_AT);
        writer.offer(acceptedEvent(id, mime, "report", submitter, null,
                String.valueOf(contract.getOrDefault(MessageHeaders.SENDER, "")),
                size instanceof Number n ? n.longValue() : mime.length,
                at instanceof Number n ? n.longValue() : System.currentTimeMillis(),
                String.valueOf(contract.getOrDefault(MessageHeaders.RECIPIENTS, "")), reportOf));
    }

    /** A message on the queue, its texts from outside bounded to their columns. */
    private LedgerEvent.Accepted acceptedEvent(String id, byte[] mime, String ingress, String submitter, String apiKey,
                                               String sender, long size, long at, String recipients, String reportOf) {
        String[] header = headers(mime);
        return new LedgerEvent.Accepted(id, bounded(header[0], 998), ingress, bounded(submitter, 300),
                bounded(apiKey, 64), bounded(sender, 320), size, at, subjects ? bounded(header[1], 300) : null,
                recipients(recipients), reportOf);
    }

    /**
     * Inside a transaction (an HTTP batch, a merge request, a JMS submission: all or nothing on the
     * queue), the message is accepted only once the transaction commits: the event waits for it,
     * and a rollback drops it — the ledger never shows a message that never reached the queue.
     */
    private void afterCommit(LedgerEvent event) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    writer.offer(event);
                }
            });
        } else {
            writer.offer(event);
        }
    }

    /** A delivery attempt ended; {@code outcomes} has one entry per recipient it covered. */
    public void attempt(String id, int attempt, long at, String transport, String relay, long durationMillis,
                        List<LedgerEvent.Outcome> outcomes) {
        if (writer == null) {
            return;
        }
        writer.offer(new LedgerEvent.Attempt(id, attempt, at, transport, bounded(relay, 300), durationMillis,
                outcomes.stream().map(o -> new LedgerEvent.Outcome(bounded(o.address(), 320), o.state(),
                        o.replyCode(), bounded(o.enhancedStatus(), 16), bounded(o.text(), 500))).toList()));
    }

    /**
     * An operator's hold, release or delete of these messages (null: of every message): their
     * recipients in one of {@code from} go to {@code to}, with {@code note} (who did it) as the reply.
     */
    public void operated(List<String> ids, List<String> from, String to, String note, long at) {
        if (writer == null) {
            return;
        }
        writer.offer(new LedgerEvent.Operated(ids == null ? null : List.copyOf(ids), List.copyOf(from), to,
                bounded(note, 500), at));
    }

    private static List<String> recipients(String line) {
        if (line == null || line.isBlank()) {
            return List.of();
        }
        return Arrays.stream(line.split(",")).map(String::trim).filter(a -> !a.isEmpty())
                .map(a -> bounded(a, 320)).distinct().toList();
    }

    /** The Message-ID of a message (from its header block only), one line and bounded; null when it has none. */
    public static String messageId(byte[] mime) {
        return bounded(headers(mime)[0], 998);
    }

    /**
     * Message-ID and Subject from the header block only (Jakarta Mail reads up to the blank line):
     * the message was built or checked by accept, so both are there and well-formed when present.
     */
    private static String[] headers(byte[] mime) {
        if (mime == null) {
            return new String[2];
        }
        try {
            InternetHeaders headers = new InternetHeaders(new ByteArrayInputStream(mime));
            String subject = headers.getHeader("Subject", null);
            if (subject != null) {
                try {
                    subject = MimeUtility.decodeText(MimeUtility.unfold(subject));
                } catch (UnsupportedEncodingException e) {
                    // an unknown charset: kept as written
                }
            }
            return new String[]{headers.getHeader("Message-ID", null), subject};
        } catch (MessagingException e) {
            return new String[2];
        }
    }

    /**
     * One line, no control characters, at most {@code max} characters (never half a surrogate pair);
     * null stays null. How every text from outside is stored, and sent in a webhook event.
     */
    public static String bounded(String text, int max) {
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), max));
        for (int i = 0; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                c = ' ';
            }
            if (Character.isHighSurrogate(c) && out.length() == max - 1) {
                break;
            }
            out.append(c);
        }
        return out.toString().strip();
    }
}
