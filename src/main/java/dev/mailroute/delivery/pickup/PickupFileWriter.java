package dev.mailroute.delivery.pickup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.mailroute.files.AtomicFile;
import dev.mailroute.queue.QueuedMessage;
import jakarta.mail.Address;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.eclipse.angus.mail.util.CRLFOutputStream;

/**
 * The pickup transport: writes a queued message as {@code <id>.eml} into the pickup folder, CRLF
 * line endings, in the configured {@link PickupFormat}. The file is written as
 * {@code .<id>.eml.part} (a name pickup services ignore), fsync'ed, and renamed into place in one
 * atomic step, then the folder is fsync'ed: a pickup service never sees half a file, and after a
 * crash there is no visible but empty one.
 *
 * <p>mailroute writes the file itself rather than through camel-file's producer: in Camel 4.18
 * that producer never syncs to disk (its {@code forceWrites} option is not used anywhere).
 */
public final class PickupFileWriter {

    private static final String[] WITHOUT_BCC = {"Bcc"};

    private final PickupFormat format;
    private final Path folder;
    private final boolean fsync;

    public PickupFileWriter(PickupFormat format, Path folder, boolean fsync) {
        this.format = format;
        this.folder = folder;
        this.fsync = fsync;
    }

    public void write(Exchange exchange) throws InvalidPayloadException, MessagingException, IOException {
        QueuedMessage message = exchange.getMessage().getMandatoryBody(QueuedMessage.class);
        Path file = folder.resolve(message.id() + ".eml");
        AtomicFile.write(file, render(message), fsync);
        exchange.getMessage().setHeader(Exchange.FILE_NAME_PRODUCED, file.toString());
    }

    byte[] render(QueuedMessage message) throws MessagingException, IOException {
        if (format == PickupFormat.X_SENDER) {
            return withEnvelopeLines(message,
                    message.envelope().recipients().stream().map(InternetAddress::getAddress).toList());
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
