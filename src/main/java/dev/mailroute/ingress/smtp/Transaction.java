package dev.mailroute.ingress.smtp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.mailroute.accept.MessageTooLargeException;
import dev.mailroute.accept.Problem;
import dev.mailroute.accept.RejectedMessageException;
import dev.mailroute.accept.SenderRefusedException;
import dev.mailroute.message.Dsn;
import dev.mailroute.message.InFlightBytes;
import dev.mailroute.message.MessageHeaders;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import org.apache.camel.Exchange;
import org.eclipse.angus.mail.util.CRLFOutputStream;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;

/**
 * One SMTP mail transaction on the listener: MAIL FROM, the RCPT TOs, and DATA handed to the accept
 * pipeline as a raw message with this envelope. The answer to the end of DATA is the pipeline's:
 * {@code 250 2.0.0 Ok: queued as <id>} only once the message is on the durable queue,
 * {@code 451 4.3.0} when the queue could not take it (the client tries again, nothing is lost), a
 * {@code 5xx} naming what is wrong when accept refused it.
 */
final class Transaction implements MessageHandler {

    private final SmtpdConsumer consumer;
    private final MessageContext context;
    private final List<String> senderPatterns;
    private final List<String> recipients = new ArrayList<>();
    private String from;
    private boolean messageRead;
    /** DSN (RFC 3461): RET and ENVID of MAIL, the NOTIFY all RCPTs share, each RCPT's ORCPT. */
    private Dsn.Ret ret;
    private String envid;
    private Set<Dsn.Notify> notify;
    private final Map<String, String> originalRecipients = new LinkedHashMap<>();

    Transaction(SmtpdConsumer consumer, MessageContext context, List<String> senderPatterns) {
        this.consumer = consumer;
        this.context = context;
        this.senderPatterns = senderPatterns;
    }

    /** Who handed the message over, for the ledger: the SMTP user (when logged in) and the client's address. */
    private String submitter() {
        Object user = context.getAuthenticationHandler().map(h -> h.getIdentity()).orElse(null);
        String address = context.getRemoteAddress() instanceof java.net.InetSocketAddress socket
                ? socket.getAddress().getHostAddress() : String.valueOf(context.getRemoteAddress());
        return user == null ? "smtp from " + address : "smtp user " + user + " from " + address;
    }

    @Override
    public void from(String address) throws RejectException {
        if (address == null || address.isEmpty()) {
            // the null sender (RFC 5321 4.5.5): reports and auto-replies of other systems; relayed as
            // such, and never reported on. Its From header still meets the sender policy.
            from = "";
            return;
        }
        ascii(address, "sender");
        String refusal = consumer.senderRefusal(address, senderPatterns);
        if (refusal != null) {
            throw consumer.refuse(context, "sender-not-allowed", 553, "5.7.1 " + refusal);
        }
        from = address;
    }

    /** MAIL's DSN parameters, checked already. */
    void dsn(Dsn.Ret ret, String envid) {
        this.ret = ret;
        this.envid = envid;
    }

    /**
     * A recipient with its DSN parameters (null when not given). mailroute keeps one NOTIFY per
     * message: a recipient that asks otherwise than the first gets 452 4.5.3, and the client sends it
     * in a transaction of its own (RFC 5321 3.3: as for too many recipients).
     */
    void recipient(String address, Set<Dsn.Notify> notify, String orcpt) throws RejectException {
        if (!recipients.isEmpty() && !Objects.equals(notify, this.notify)) {
            throw consumer.refuse(context, "dsn-notify-differs", 452, "4.5.3 Recipients with another NOTIFY than"
                    + " the first go in another transaction");
        }
        recipient(address);
        this.notify = notify;
        if (orcpt != null) {
            originalRecipients.put(address, orcpt);
        }
    }

    private Dsn dsn() {
        return new Dsn(notify == null ? Set.of() : Set.copyOf(notify), ret, envid, Map.copyOf(originalRecipients));
    }

    @Override
    public void recipient(String address) throws RejectException {
        if (recipients.size() >= consumer.settings().maxRecipients()) {
            throw consumer.refuse(context, "too-many-recipients", 452, "4.5.3 Too many recipients; at most "
                    + consumer.settings().maxRecipients() + " per message (mailroute.smtpd.maxRecipients)");
        }
        ascii(address, "recipient");
        recipients.add(address);
    }

    /** No SMTPUTF8: an address that is not ASCII could not be delivered onward. */
    private void ascii(String address, String what) throws RejectException {
        if (!StandardCharsets.US_ASCII.newEncoder().canEncode(address)) {
            throw consumer.refuse(context, "not-ascii", 553, "5.6.7 the " + what + " <" + address + "> is not ASCII;"
                                                    + " internationalised addresses (SMTPUTF8) are not relayed");
        }
    }

    @Override
    public String data(InputStream data) throws RejectException, IOException {
        messageRead = true;
        Held held = new Held(consumer.inFlight());
        try {
            byte[] message = read(data, held);
            if (held.received > consumer.maxBytes()) {
                // too large for good, whatever else was going on: not worth sending again
                throw consumer.refuse(context, "too-large", 552, "5.3.4 Message size exceeds the limit of "
                        + consumer.maxBytes() + " bytes (mailroute.message.maxBytes)");
            }
            if (held.refused) {
                throw consumer.refuse(context, "busy", 452, "4.3.1 Insufficient system storage: messages of "
                        + consumer.inFlight().held() + " bytes are being received or accepted (mailroute.message"
                        + ".maxInFlight is " + consumer.inFlight().limit() + "); try again later");
            }
            Exchange exchange;
            try {
                exchange = consumer.accept(message, envelope(), dsn(), senderPatterns, submitter());
            } catch (AddressException e) {
                throw consumer.refuse(context, "invalid-message", 553, "5.1.3 " + e.getMessage());
            }
            Exception failure = exchange.getException();
            if (failure == null) {
                return "2.0.0 Ok: queued as " + exchange.getMessage().getHeader(MessageHeaders.ID, String.class);
            }
            throw consumer.refusal(context, failure);
        } finally {
            held.releaseAll();
        }
    }

    /** What this message holds of mailroute.message.maxInFlight, taken as it arrives. */
    private static final class Held {
        // 100 sessions (mailroute.smtpd.maxConnections) with a small message each hold 6.4 MiB: never refused
        private static final long STEP = 64 * 1024;
        private final InFlightBytes budget;
        private long bytes;
        private long received;
        private boolean refused;

        Held(InFlightBytes budget) {
            this.budget = budget;
        }

        /** Covers {@code total} bytes, a step at a time; false (and refused) once the budget is taken. */
        boolean cover(long total) {
            while (!refused && bytes < total) {
                if (!budget.tryTake(STEP)) {
                    refused = true;
                } else {
                    bytes += STEP;
                }
            }
            return !refused;
        }

        void releaseAll() {
            budget.release(bytes);
            bytes = 0;
        }
    }

    /** DATA got as far as the message: the transaction is over, whatever the answer was. */
    boolean messageRead() {
        return messageRead;
    }

    @Override
    public void done() {
        // nothing held between commands
    }

    private dev.mailroute.message.Envelope envelope() throws AddressException {
        List<InternetAddress> to = new ArrayList<>();
        for (String recipient : recipients) {
            to.add(new InternetAddress(recipient, true));
        }
        return new dev.mailroute.message.Envelope(from.isEmpty() ? null : new InternetAddress(from, true), to);
    }

    /**
     * The message as received, every line ending made CRLF — a bare CR or LF never reaches the
     * queue, so nothing relayed onward can read as a line end its author did not write — or null
     * when it is over the limit or over what may be held in memory (the rest is read and dropped,
     * so the session stays in step).
     */
    private byte[] read(InputStream data, Held held) throws IOException {
        long limit = consumer.maxBytes();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
        OutputStream crlf = new CRLFOutputStream(bytes);
        byte[] buffer = new byte[8192];
        long total = 0;
        int n;
        while ((n = data.read(buffer)) != -1) {
            total += n;
            if (total <= limit && held.cover(total)) {
                crlf.write(buffer, 0, n);
            }
        }
        crlf.flush();
        held.received = total;
        return total > limit || held.refused ? null : bytes.toByteArray();
    }

    /** Kept for the reply texts: the first problem of a rejection, as one line. */
    static String firstProblem(RejectedMessageException rejected) {
        Problem first = rejected.problems().get(0);
        String text = (first.field() + ": " + first.reason()).replaceAll("[\\r\\n]+", " ");
        return text.length() > 400 ? text.substring(0, 397) + "..." : text;
    }

    static boolean isTooLarge(Exception e) {
        return e instanceof MessageTooLargeException;
    }

    static boolean isSenderRefused(Exception e) {
        return e instanceof SenderRefusedException;
    }
}
