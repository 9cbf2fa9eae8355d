package dev.mailroute.accept;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

import dev.mailroute.message.AcceptedMessage;
import dev.mailroute.message.Envelope;
import dev.mailroute.message.XSenderForm;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * Reads a raw RFC 5322 message: an .eml file, an HTTP message/rfc822 body, a JMS text or bytes
 * message. Leading {@code X-Sender:} / {@code X-Receiver:} lines, as .NET SmtpClient and CDOSYS
 * write them into a pickup folder ({@link XSenderForm}), are the envelope and are removed; without
 * them the envelope comes from Sender/From and To/Cc/Bcc — unless the ingress already knows the
 * envelope (the SMTP listener's MAIL FROM and RCPT TO), which then wins. The message itself is kept
 * as it is, except that a missing Message-ID or Date is added, once, and that a body part with a
 * line longer than RFC 5322 allows is re-encoded ({@link LongLines}); a header line that long is
 * refused.
 */
public final class RawMessageReader {

    /** RFC 5322 field-name followed by a colon. */
    private static final Pattern HEADER_LINE = Pattern.compile("^[\\x21-\\x39\\x3B-\\x7E]+[ \\t]*:");

    private final Session session = Session.getInstance(new Properties());

    /** @param given the envelope the ingress knows, or null to derive it from the message */
    Built read(byte[] input, Envelope given, String id, String clientId) throws RejectedMessageException {
        Problems problems = new Problems();
        // an envelope the ingress knows is the envelope; leading lines are then the message's own
        XSenderForm.Leading leading = given != null ? new XSenderForm.Leading(List.of(), 0) : XSenderForm.read(input);
        InternetAddress envelopeSender = null;
        boolean nullSender = given != null && given.nullSender();
        List<InternetAddress> envelopeRecipients = new ArrayList<>();
        for (XSenderForm.Line line : leading.lines()) {
            if (line.sender() && line.value().strip().equals(XSenderForm.NULL_SENDER)) {
                nullSender = true; // a report's null sender, as mailroute writes it into pickup and failed/ files
                continue;
            }
            InternetAddress address = HeaderRules.mailbox(line.field(), line.value(), problems);
            if (line.sender()) {
                envelopeSender = address;
            } else if (address != null) {
                envelopeRecipients.add(address);
            }
        }

        // the pickup form is byte-stuffed like an SMTP DATA stream (XSenderForm)
        byte[] body;
        if (leading.lines().isEmpty()) {
            body = leading.messageStart() == 0 ? input : Arrays.copyOfRange(input, leading.messageStart(), input.length);
        } else {
            try {
                body = XSenderForm.unstuffedMessage(input, leading);
            } catch (IllegalArgumentException e) {
                throw new RejectedMessageException("$", e.getMessage());
            }
        }
        int firstHeaderEnd = XSenderForm.lineEnd(body, 0);
        String firstHeader = new String(body, 0, firstHeaderEnd, StandardCharsets.ISO_8859_1);
        if (body.length == 0 || !HEADER_LINE.matcher(firstHeader).find()) {
            problems.add("$", body.length == 0
                    ? "is empty; send an RFC 5322 message (headers, a blank line, the body)"
                    : "is not an RFC 5322 message: line " + (leading.lines().size() + 1)
                      + " is not a header field (" + abbreviate(firstHeader) + ")");
            problems.throwIfAny();
        }

        envelopeLookalikes(body, leading.lines().size(), problems);
        LongLines.checkHeaders(body, leading.lines().size(), problems, "fold the header, or encode its value"
                + " (RFC 2047)");
        problems.throwIfAny();

        MimeMessage message;
        try {
            message = new Parsed(session, new ByteArrayInputStream(body));
        } catch (MessagingException e) {
            throw new RejectedMessageException("$", "is not a parseable RFC 5322 message: " + e.getMessage());
        }
        // the authors: every address the From and Sender headers name is checked by the sender policy
        List<InternetAddress> from = addresses("From", message, problems);
        List<InternetAddress> sender = addresses("Sender", message, problems);
        List<SenderPolicy.Sender> senders = new ArrayList<>();
        from.forEach(a -> senders.add(new SenderPolicy.Sender("From", a.getAddress())));
        sender.forEach(a -> senders.add(new SenderPolicy.Sender("Sender", a.getAddress())));

        Envelope envelope;
        String envelopeField;
        if (given != null) {
            envelope = given;
            envelopeField = "MAIL FROM";
        } else {
            InternetAddress headerSender = !sender.isEmpty() ? sender.get(0) : from.isEmpty() ? null : from.get(0);
            envelopeField = !sender.isEmpty() ? "Sender" : "From";
            List<InternetAddress> headerRecipients = new ArrayList<>();
            for (String header : List.of("To", "Cc", "Bcc")) {
                headerRecipients.addAll(addresses(header, message, problems));
            }
            if (!leading.hasSender() && !hasHeader(message, "Sender") && !hasHeader(message, "From")) {
                problems.add("From", "missing; the message needs a From (or Sender) header or a leading X-Sender line");
            }
            if (!leading.hasReceivers() && !hasHeader(message, "To") && !hasHeader(message, "Cc")
                && !hasHeader(message, "Bcc")) {
                problems.add("To", "no recipients; the message needs To, Cc or Bcc headers or leading X-Receiver lines");
            }
            if (envelopeSender != null || nullSender) {
                envelopeField = "X-Sender";
            }
            envelope = new Envelope(nullSender ? null : envelopeSender != null ? envelopeSender : headerSender,
                    envelopeRecipients.isEmpty() ? headerRecipients : envelopeRecipients);
        }
        if (nullSender && from.isEmpty() && sender.isEmpty()) {
            // MAIL FROM:<> names no one, so the author must: the sender policy checks the From header
            problems.add("From", "missing; a message from the null sender (<>) needs a From header with an address");
        }
        problems.throwIfAny();
        if (!envelope.nullSender()) {
            // MAIL FROM:<> names no one; the From header above still meets the policy
            senders.add(0, new SenderPolicy.Sender(envelopeField, envelope.senderAddress()));
        }

        try {
            if (message.getHeader("Message-ID") == null) {
                InternetAddress author = envelope.nullSender() ? (from.isEmpty() ? null : from.get(0)) : envelope.sender();
                message.setHeader("Message-ID", "<" + id + "@" + (author == null ? "invalid"
                        : MimeMessageFactory.domainOf(author)) + ">");
            }
            if (message.getHeader("Date") == null) {
                message.setSentDate(new Date());
            }
            // the headers were checked: a long line here is in the body
            boolean longLines = LongLines.firstLongLine(body, 0) != null;
            if (longLines && LongLines.reencode(message)) {
                message.saveChanges();
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(body.length + 128);
            message.writeTo(bytes);
            byte[] mime = bytes.toByteArray();
            long[] still = longLines ? LongLines.firstLongLine(mime, 0) : null;
            if (still != null) {
                throw new RejectedMessageException("$", "line " + still[0] + " is " + still[1] + " octets long; a line"
                        + " is at most " + LongLines.MAX_OCTETS + " octets (RFC 5322 section 2.1.1), and mailroute"
                        + " re-encodes only body parts sent as they are (not a part's headers, an attached message"
                        + " or the text around the parts of a multipart): encode it as quoted-printable or base64");
            }
            return new Built(new AcceptedMessage(id, clientId, envelope, mime), senders);
        } catch (MessagingException | IOException e) {
            throw new RejectedMessageException("$", "is not a parseable RFC 5322 message: " + e.getMessage());
        }
    }

    /**
     * A message as it was read; saving changes to it (when a part is re-encoded, {@link LongLines})
     * keeps its Message-ID, where Jakarta Mail would make up a new one.
     */
    private static final class Parsed extends MimeMessage {

        Parsed(Session session, InputStream in) throws MessagingException {
            super(session, in);
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            if (getHeader("Message-ID") == null) {
                super.updateMessageID();
            }
        }
    }

    /**
     * A header named like an envelope line (X-Sender, X-Receiver, in any case, with blanks before
     * the colon) would be read as one by a pickup service, and by the inbox from a failed/ record:
     * a recipient smuggled in. Such a message is refused; its envelope belongs in leading lines.
     */
    private static void envelopeLookalikes(byte[] input, int leadingLines, Problems problems) {
        int line = leadingLines;
        for (int start = 0; start < input.length;) {
            int end = XSenderForm.lineEnd(input, start);
            line++;
            if (end == start) {
                return; // the blank line: the body follows
            }
            if (input[start] != ' ' && input[start] != '\t') {
                String text = new String(input, start, end - start, StandardCharsets.ISO_8859_1);
                int colon = text.indexOf(':');
                String name = (colon < 0 ? text : text.substring(0, colon)).strip();
                if (name.equalsIgnoreCase("X-Sender") || name.equalsIgnoreCase("X-Receiver")) {
                    problems.add(name + " (line " + line + ")", "a header named like an envelope line would be read"
                            + " as one by a pickup service; the envelope goes only in leading X-Sender/X-Receiver"
                            + " lines, before the message's own headers");
                }
            }
            start = end < input.length && input[end] == '\r' && end + 1 < input.length && input[end + 1] == '\n'
                    ? end + 2 : end + 1;
        }
    }

    private static boolean hasHeader(MimeMessage message, String name) {
        try {
            String value = message.getHeader(name, ",");
            return value != null && !value.isBlank();
        } catch (MessagingException e) {
            return false;
        }
    }

    private static List<InternetAddress> addresses(String header, MimeMessage message, Problems problems) {
        List<InternetAddress> result = new ArrayList<>();
        String value;
        try {
            value = message.getHeader(header, ",");
        } catch (MessagingException e) {
            problems.add(header, "cannot be read: " + e.getMessage());
            return result;
        }
        if (value == null || value.isBlank()) {
            return result;
        }
        InternetAddress[] parsed;
        try {
            parsed = InternetAddress.parseHeader(value, true);
        } catch (AddressException e) {
            problems.add(header, "'" + abbreviate(value) + "' is not a valid address list (" + e.getMessage() + ")");
            return result;
        }
        for (InternetAddress address : parsed) {
            if (address.isGroup()) {
                continue; // "undisclosed-recipients:;" names nobody
            }
            InternetAddress checked = HeaderRules.checked(header, address.toUnicodeString(), address, problems);
            if (checked != null) {
                result.add(checked);
            }
        }
        return result;
    }

    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("[\\r\\n]+", " ");
        return oneLine.length() <= 60 ? oneLine : oneLine.substring(0, 57) + "...";
    }
}
