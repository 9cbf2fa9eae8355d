package dev.mailroute.accept;

import java.util.List;
import java.util.Map;

import dev.mailroute.message.Dsn;
import jakarta.mail.internet.InternetAddress;

/**
 * A validated JSON mail request (the contract in docs/submitting.md). Every value here has passed
 * {@link JsonMailRequestReader}: addresses parse, header values are one line, attachments decoded.
 */
public record MailRequest(
        String clientId,
        InternetAddress from,
        InternetAddress sender,
        InternetAddress envelopeFrom,
        List<InternetAddress> to,
        List<InternetAddress> cc,
        List<InternetAddress> bcc,
        List<InternetAddress> replyTo,
        InternetAddress readReceiptTo,
        String subject,
        String text,
        String html,
        Map<String, String> headers,
        List<Attachment> attachments,
        Priority priority,
        Dsn dsn) {

    /**
     * A file, or with {@code inline} an image (or other part) the HTML shows by its
     * {@code cid:contentId}.
     */
    public record Attachment(String filename, String contentType, byte[] content, boolean inline, String contentId) {

        public Attachment(String filename, String contentType, byte[] content) {
            this(filename, contentType, content, false, null);
        }
    }

    public enum Priority {
        HIGH, NORMAL, LOW
    }

    /** The envelope sender (MAIL FROM): envelopeFrom when the request gives one, otherwise from. */
    public InternetAddress mailFrom() {
        return envelopeFrom != null ? envelopeFrom : from;
    }
}
