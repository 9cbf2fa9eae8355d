package dev.mailroute.accept;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import dev.mailroute.message.AcceptedMessage;
import dev.mailroute.message.Envelope;
import jakarta.activation.DataHandler;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.ByteArrayDataSource;

/**
 * Builds the canonical MIME message of a JSON request with Jakarta Mail. The shape follows what
 * mail clients send: text and html together become multipart/alternative, the html and its inline
 * parts multipart/related, attachments wrap the body in multipart/mixed:
 * <pre>
 * mixed ─ alternative ─ text/plain
 *       │             └ related ─ text/html
 *       │                       └ image/png (Content-ID: &lt;logo&gt;, inline)
 *       └ application/pdf (attachment)
 * </pre>
 * Message-ID and Date are set here, once, so every retry and every transport sends the very same
 * bytes.
 */
public final class MimeMessageFactory {

    private static final String UTF_8 = StandardCharsets.UTF_8.name();

    /** Headers and the boundaries of the parts: a few hundred bytes each, more with many recipients. */
    private static final int HEADROOM_BYTES = 4096;
    private static final int PART_HEADROOM_BYTES = 512;

    private final Session session = Session.getInstance(new Properties());

    Built build(MailRequest request, String id, String clientId) throws RejectedMessageException {
        try {
            MimeMessage message = new MimeMessage(session);
            message.setFrom(request.from());
            if (request.sender() != null) {
                message.setSender(request.sender());
            }
            setRecipients(message, RecipientType.TO, request.to());
            setRecipients(message, RecipientType.CC, request.cc());
            setRecipients(message, RecipientType.BCC, request.bcc());
            if (!request.replyTo().isEmpty()) {
                message.setReplyTo(request.replyTo().toArray(InternetAddress[]::new));
            }
            if (request.readReceiptTo() != null) {
                // RFC 8098: the recipient's client is asked to send a read receipt there
                message.setHeader("Disposition-Notification-To", request.readReceiptTo().toString());
            }
            if (request.subject() != null) {
                message.setSubject(request.subject(), UTF_8);
            }
            message.setSentDate(new Date());
            for (Map.Entry<String, String> header : request.headers().entrySet()) {
                String name = header.getKey();
                message.addHeader(name, MimeUtility.fold(name.length() + 2, MimeUtility.encodeText(header.getValue(),
                        UTF_8, null)));
            }
            setPriority(message, request.priority());
            setContent(message, request);
            message.saveChanges();
            // saveChanges() makes up a Message-ID of its own; ours ties the message to its queue id
            message.setHeader("Message-ID", "<" + id + "@" + domainOf(request.from()) + ">");

            // sized for the message from the start: grown from 32 bytes by doubling, the copies were
            // 10% of the bytes the HTTP path allocated at 100 KB (async-profiler, 2026-12-07)
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(expectedSize(request));
            message.writeTo(bytes);
            byte[] mime = bytes.toByteArray();
            // bodies are encoded with short lines; a header is folded at blanks only, so a word too
            // long for one line (in the subject, a header, a display name) stays too long
            Problems problems = new Problems();
            LongLines.checkHeaders(mime, 0, problems, "a header is folded only at blanks: break the"
                    + " value with spaces");
            problems.throwIfAny();
            List<InternetAddress> recipients = new ArrayList<>(request.to());
            recipients.addAll(request.cc());
            recipients.addAll(request.bcc());
            List<SenderPolicy.Sender> senders = new ArrayList<>();
            senders.add(new SenderPolicy.Sender("from", request.from().getAddress()));
            if (request.sender() != null) {
                senders.add(new SenderPolicy.Sender("sender", request.sender().getAddress()));
            }
            if (request.envelopeFrom() != null) {
                senders.add(new SenderPolicy.Sender("envelopeFrom", request.envelopeFrom().getAddress()));
            }
            return new Built(new AcceptedMessage(id, clientId, new Envelope(request.mailFrom(), recipients),
                    mime, request.dsn()), List.copyOf(senders));
        } catch (MessagingException | IOException e) {
            throw new RejectedMessageException("$", "could not be built into a MIME message: " + e.getMessage());
        }
    }

    /**
     * About the size of the built message: its texts as they are (what a 7bit body is),
     * its files base64-encoded (4 bytes per 3), and room for the headers and part boundaries. A
     * quoted-printable body can take more and grows the buffer once.
     */
    static int expectedSize(MailRequest request) {
        long size = HEADROOM_BYTES + length(request.text()) + length(request.html());
        for (MailRequest.Attachment attachment : request.attachments()) {
            size += attachment.content().length / 3 * 4 + PART_HEADROOM_BYTES;
        }
        return (int) Math.min(size, Integer.MAX_VALUE - 8);
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
    }

    private static void setRecipients(MimeMessage message, RecipientType type, List<InternetAddress> addresses)
            throws MessagingException {
        if (!addresses.isEmpty()) {
            message.setRecipients(type, addresses.toArray(InternetAddress[]::new));
        }
    }

    /** The three headers different clients read: X-Priority (most), Importance (Outlook), Priority (RFC 2156). */
    private static void setPriority(MimeMessage message, MailRequest.Priority priority) throws MessagingException {
        switch (priority) {
            case HIGH -> {
                message.setHeader("X-Priority", "1 (Highest)");
                message.setHeader("Importance", "high");
                message.setHeader("Priority", "urgent");
            }
            case LOW -> {
                message.setHeader("X-Priority", "5 (Lowest)");
                message.setHeader("Importance", "low");
                message.setHeader("Priority", "non-urgent");
            }
            case NORMAL -> {
                // no header: normal is what every client assumes
            }
        }
    }

    private static void setContent(MimeMessage message, MailRequest request) throws MessagingException {
        List<MailRequest.Attachment> files = request.attachments().stream().filter(a -> !a.inline()).toList();
        if (files.isEmpty()) {
            fillBody(message, request);
            return;
        }
        MimeMultipart mixed = new MimeMultipart("mixed");
        MimeBodyPart body = new MimeBodyPart();
        fillBody(body, request);
        mixed.addBodyPart(body);
        for (MailRequest.Attachment attachment : files) {
            MimeBodyPart part = filePart(attachment);
            part.setDisposition(Part.ATTACHMENT);
            mixed.addBodyPart(part);
        }
        message.setContent(mixed);
    }

    private static void fillBody(Part part, MailRequest request) throws MessagingException {
        if (request.text() != null && request.html() != null) {
            MimeMultipart alternative = new MimeMultipart("alternative");
            alternative.addBodyPart(textPart(request.text(), "plain"));
            MimeBodyPart html = new MimeBodyPart();
            fillHtml(html, request);
            alternative.addBodyPart(html);
            part.setContent(alternative);
        } else if (request.html() != null) {
            fillHtml(part, request);
        } else {
            part.setDataHandler(text(request.text() == null ? "" : request.text(), "plain"));
        }
    }

    /** The html, and with inline parts the multipart/related that holds it and them (RFC 2387). */
    private static void fillHtml(Part part, MailRequest request) throws MessagingException {
        List<MailRequest.Attachment> inline = request.attachments().stream().filter(MailRequest.Attachment::inline)
                .toList();
        if (inline.isEmpty()) {
            part.setDataHandler(text(request.html(), "html"));
            return;
        }
        MimeMultipart related = new MimeMultipart("related");
        related.addBodyPart(textPart(request.html(), "html"));
        for (MailRequest.Attachment attachment : inline) {
            MimeBodyPart image = filePart(attachment);
            image.setContentID("<" + attachment.contentId() + ">");
            image.setDisposition(Part.INLINE);
            related.addBodyPart(image);
        }
        part.setContent(related);
    }

    private static MimeBodyPart filePart(MailRequest.Attachment attachment) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(attachment.content(), attachment.contentType())));
        part.setFileName(attachment.filename());
        return part;
    }

    private static MimeBodyPart textPart(String text, String subtype) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(text(text, subtype));
        return part;
    }

    /**
     * What {@code setText(text, "UTF-8", subtype)} makes, handed over as UTF-8 bytes: Angus' text
     * handler writes a String through a stream that passes it on byte by byte, once to choose the
     * transfer encoding and once to write it: the largest single cost of accepting a message in a profile.
     */
    private static DataHandler text(String text, String subtype) {
        return new DataHandler(new ByteArrayDataSource(text.getBytes(StandardCharsets.UTF_8),
                "text/" + subtype + "; charset=" + UTF_8));
    }

    static String domainOf(InternetAddress address) {
        String addr = address.getAddress();
        return addr.substring(addr.lastIndexOf('@') + 1);
    }
}
