package dev.mailroute.message;

import java.util.Properties;
import java.util.regex.Pattern;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.util.SharedByteArrayInputStream;
import org.apache.camel.Header;
import org.eclipse.angus.mail.smtp.SMTPMessage;

/**
 * A message taken off {@code mail.outbound}: the canonical MIME bytes, parsed (not rebuilt, so the
 * bytes stay exactly as accepted), with the envelope that came with it. As an {@link SMTPMessage}
 * it carries its MAIL FROM to Angus Mail's SMTP transport.
 */
public final class QueuedMessage extends SMTPMessage {

    private static final Session PARSING_SESSION = Session.getInstance(new Properties());

    /** The ids mailroute gives messages: UUIDs, lower case, as {@code UUID.toString()} writes them. */
    private static final Pattern MAILROUTE_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final String id;
    private final Envelope envelope;
    private Dsn dsn = Dsn.NONE;
    private volatile boolean dsnNotOffered;
    private volatile String deliveryAnswer;

    private QueuedMessage(byte[] mime, String id, Envelope envelope) throws MessagingException {
        // a shared stream: the body is read from the queued bytes where they are, not copied into
        // an array of its own (MimeMessage copies whatever else it is given)
        super(PARSING_SESSION, new SharedByteArrayInputStream(mime));
        this.id = id;
        this.envelope = envelope;
        // Angus writes an envelope sender already in angle brackets as it is: MAIL FROM:<>
        setEnvelopeFrom(envelope.nullSender() ? "<>" : envelope.senderAddress());
    }

    /**
     * Called by the deliver route on every message it takes from the queue.
     *
     * @throws ForeignMessageException when the message is not one mailroute made
     */
    public static QueuedMessage fromQueue(byte[] body, @Header(MessageHeaders.ID) String id,
                                          @Header(MessageHeaders.SENDER) String sender,
                                          @Header(MessageHeaders.RECIPIENTS) String recipients)
            throws MessagingException {
        if (id == null || sender == null || recipients == null || body == null) {
            throw new ForeignMessageException("a message without a body or without the " + MessageHeaders.ID + ", "
                                              + MessageHeaders.SENDER + " or " + MessageHeaders.RECIPIENTS
                                              + " property: not put on the queue by mailroute");
        }
        if (!MAILROUTE_ID.matcher(id).matches()) {
            // ids name pickup files and failed/ records: anything but mailroute's own could name a path
            throw new ForeignMessageException("its id is not one mailroute makes (a UUID): not put on the queue by"
                                              + " mailroute");
        }
        Envelope envelope;
        try {
            envelope = Envelope.fromLines(sender, recipients);
        } catch (AddressException e) {
            throw new ForeignMessageException("its envelope cannot be read (" + e.getMessage() + ")");
        }
        return new QueuedMessage(body, id, envelope);
    }

    public String id() {
        return id;
    }

    public Envelope envelope() {
        return envelope;
    }

    /** The delivery status notifications the request asked for, handed to Angus Mail for the relay. */
    public void ask(Dsn dsn) {
        this.dsn = dsn;
        dsn.applyTo(this);
    }

    public Dsn dsn() {
        return dsn;
    }

    /**
     * Whether the relay of the session that sends it announces DSN; without, the message goes
     * without NOTIFY and RET (never refused for it). Said for every session tried: the last one counts.
     */
    public void dsnOffered(boolean offered) {
        dsnNotOffered = !offered;
    }

    public boolean dsnDropped() {
        return dsnNotOffered && dsn.requested();
    }

    /**
     * What the transport was told when it handed the message over: the relay's reply to the end
     * of the data ({@code 250 2.0.0 Ok: queued as 4XyZ}), or the pickup file written.
     */
    public void answered(String answer) {
        deliveryAnswer = answer;
    }

    /** The transport's answer, or null. */
    public String deliveryAnswer() {
        return deliveryAnswer;
    }
}
