package dev.mailroute.delivery.pickup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.mailroute.queue.QueuedMessage;
import jakarta.mail.Address;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.eclipse.angus.mail.util.CRLFOutputStream;

/**
 * Renders a queued message as a pickup-directory file: {@code <id>.eml}, CRLF line endings, in
 * the configured {@link PickupFormat}. The route then writes it under a dot-name and renames it
 * into place, so a pickup service never sees half a file.
 */
public final class PickupFileWriter {

    private static final String[] WITHOUT_BCC = {"Bcc"};

    private final PickupFormat format;

    public PickupFileWriter(PickupFormat format) {
        this.format = format;
    }

    public void render(Exchange exchange) throws InvalidPayloadException, MessagingException, IOException {
        QueuedMessage message = exchange.getMessage().getMandatoryBody(QueuedMessage.class);
        exchange.getMessage().setBody(render(message));
        exchange.getMessage().setHeader(Exchange.FILE_NAME, message.id() + ".eml");
    }

    byte[] render(QueuedMessage message) throws MessagingException, IOException {
        List<String> recipients = message.envelope().recipients().stream().map(InternetAddress::getAddress).toList();
        if (format == PickupFormat.X_SENDER) {
            return withEnvelopeLines(message, recipients);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(message.getSize() + 512);
        try (OutputStream crlf = new CRLFOutputStream(bytes)) {
            addEnvelopeOnlyRecipientsAsBcc(message);
            message.writeTo(crlf);
        }
        return bytes.toByteArray();
    }

    /**
     * The x-sender form for the given recipients: what the inbox reads back, so a file written
     * this way (a pickup file, a parked message in failed/) can be dropped into the inbox again.
     */
    public static byte[] withEnvelopeLines(QueuedMessage message, List<String> recipients)
            throws MessagingException, IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(message.getSize() + 512);
        try (OutputStream crlf = new CRLFOutputStream(bytes)) {
            writeLine(crlf, "X-Sender: " + message.envelope().senderAddress());
            for (String recipient : recipients) {
                writeLine(crlf, "X-Receiver: " + recipient);
            }
            message.writeTo(crlf, WITHOUT_BCC);
        }
        return bytes.toByteArray();
    }

    /**
     * In the headers format the headers are the envelope: a recipient known only from the envelope
     * (an X-Receiver line of a raw message) must appear as Bcc, or the pickup service never sees it.
     */
    private static void addEnvelopeOnlyRecipientsAsBcc(QueuedMessage message) throws MessagingException {
        Set<String> inHeaders = new HashSet<>();
        for (RecipientType type : List.of(RecipientType.TO, RecipientType.CC, RecipientType.BCC)) {
            Address[] addresses = message.getRecipients(type);
            if (addresses != null) {
                for (Address address : addresses) {
                    inHeaders.add(((InternetAddress) address).getAddress().toLowerCase(Locale.ROOT));
                }
            }
        }
        for (InternetAddress recipient : message.envelope().recipients()) {
            if (!inHeaders.contains(recipient.getAddress().toLowerCase(Locale.ROOT))) {
                message.addRecipient(RecipientType.BCC, recipient);
            }
        }
    }

    private static void writeLine(OutputStream out, String line) throws IOException {
        out.write(line.getBytes(StandardCharsets.US_ASCII));
        out.write('\r');
        out.write('\n');
    }
}
