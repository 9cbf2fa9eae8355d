package dev.mailroute.delivery.pickup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.mailroute.files.AtomicFile;
import dev.mailroute.files.FileModes;
import dev.mailroute.message.QueuedMessage;
import dev.mailroute.message.XSenderForm;
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
 * crash there is no visible but empty one. Folder and file give no access to others, and belong
 * to {@code mailroute.pickup.group} when it is set ({@link FileModes#forGroup}).
 *
 * <p>mailroute writes the file itself rather than through camel-file's producer: in Camel 4.18
 * that producer never syncs to disk (its {@code forceWrites} option is not used anywhere).
 */
public final class PickupFileWriter {

    private final PickupFormat format;
    private final Path folder;
    private final boolean fsync;
    private final FileModes modes;

    public PickupFileWriter(PickupSettings settings) {
        this.format = settings.format();
        this.folder = settings.dir();
        this.fsync = settings.fsync();
        this.modes = settings.modes();
    }

    public void write(Exchange exchange) throws InvalidPayloadException, MessagingException, IOException {
        QueuedMessage message = exchange.getMessage().getMandatoryBody(QueuedMessage.class);
        Path file = folder.resolve(message.id() + ".eml");
        // a folder removed while mailroute runs comes back with its mode, not the umask's
        modes.createFolder(folder);
        AtomicFile.write(file, render(message), fsync, modes);
        message.answered("written as " + file.getFileName());
        exchange.getMessage().setHeader(Exchange.FILE_NAME_PRODUCED, file.toString());
    }

    byte[] render(QueuedMessage message) throws MessagingException, IOException {
        if (format == PickupFormat.X_SENDER) {
            return XSenderForm.write(message,
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
}
