package dev.mailroute.accept;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.mailroute.queue.Envelope;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * Reads a raw RFC 5322 message: an .eml file, an HTTP message/rfc822 body, a JMS text or bytes
 * message. Leading {@code X-Sender:} / {@code X-Receiver:} lines, as .NET SmtpClient and CDOSYS
 * write them into a pickup folder, are the envelope and are removed; without them the envelope
 * comes from Sender/From and To/Cc/Bcc. The message itself is kept as it is, except that a
 * missing Message-ID or Date is added, once.
 */
public final class RawMessageReader {

    private static final Pattern ENVELOPE_LINE = Pattern.compile("(?i)^x-(sender|receiver):[ \\t]*(.*?)[ \\t]*$");
    /** RFC 5322 field-name followed by a colon. */
    private static final Pattern HEADER_LINE = Pattern.compile("^[\\x21-\\x39\\x3B-\\x7E]+[ \\t]*:");

    private final Session session = Session.getInstance(new Properties());

    public AcceptedMessage read(byte[] input, String id, String clientId) throws RejectedMessageException {
        Problems problems = new Problems();
        InternetAddress envelopeSender = null;
        List<InternetAddress> envelopeRecipients = new ArrayList<>();
        boolean sawSender = false;
        boolean sawReceiver = false;

        int offset = 0;
        int lineNumber = 0;
        while (offset < input.length) {
            int end = lineEnd(input, offset);
            String line = new String(input, offset, end - offset, StandardCharsets.US_ASCII);
            Matcher envelopeLine = ENVELOPE_LINE.matcher(line);
            if (!envelopeLine.matches()) {
                break;
            }
            lineNumber++;
            String field = (envelopeLine.group(1).equalsIgnoreCase("sender") ? "X-Sender" : "X-Receiver")
                           + " (line " + lineNumber + ")";
            InternetAddress address = HeaderRules.mailbox(field, envelopeLine.group(2), problems);
            if (field.startsWith("X-Sender")) {
                sawSender = true;
                envelopeSender = address;
            } else {
                sawReceiver = true;
                if (address != null) {
                    envelopeRecipients.add(address);
                }
            }
            offset = skipLineBreak(input, end);
        }

        int firstHeaderEnd = lineEnd(input, offset);
        String firstHeader = new String(input, offset, firstHeaderEnd - offset, StandardCharsets.ISO_8859_1);
        if (offset >= input.length || !HEADER_LINE.matcher(firstHeader).find()) {
            problems.add("$", offset >= input.length
                    ? "is empty; send an RFC 5322 message (headers, a blank line, the body)"
                    : "is not an RFC 5322 message: line " + (lineNumber + 1) + " is not a header field ("
                      + abbreviate(firstHeader) + ")");
            problems.throwIfAny();
        }

        MimeMessage message;
        try {
            message = new MimeMessage(session, new ByteArrayInputStream(input, offset, input.length - offset));
        } catch (MessagingException e) {
            throw new RejectedMessageException("$", "is not a parseable RFC 5322 message: " + e.getMessage());
        }

        InternetAddress headerSender = firstAddress("Sender", message, problems);
        if (headerSender == null) {
            headerSender = firstAddress("From", message, problems);
        }
        List<InternetAddress> headerRecipients = new ArrayList<>();
        for (String header : List.of("To", "Cc", "Bcc")) {
            headerRecipients.addAll(addresses(header, message, problems));
        }

        InternetAddress sender = envelopeSender != null ? envelopeSender : headerSender;
        List<InternetAddress> recipients = envelopeRecipients.isEmpty() ? headerRecipients : envelopeRecipients;
        if (!sawSender && !hasHeader(message, "Sender") && !hasHeader(message, "From")) {
            problems.add("From", "missing; the message needs a From (or Sender) header or a leading X-Sender line");
        }
        if (!sawReceiver && !hasHeader(message, "To") && !hasHeader(message, "Cc") && !hasHeader(message, "Bcc")) {
            problems.add("To", "no recipients; the message needs To, Cc or Bcc headers or leading X-Receiver lines");
        }
        problems.throwIfAny();

        try {
            if (message.getHeader("Message-ID") == null) {
                message.setHeader("Message-ID", "<" + id + "@" + MimeMessageFactory.domainOf(sender) + ">");
            }
            if (message.getHeader("Date") == null) {
                message.setSentDate(new Date());
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(input.length + 128);
            message.writeTo(bytes);
            return new AcceptedMessage(id, clientId, new Envelope(sender, recipients), bytes.toByteArray());
        } catch (MessagingException | IOException e) {
            throw new RejectedMessageException("$", "is not a parseable RFC 5322 message: " + e.getMessage());
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

    private static InternetAddress firstAddress(String header, MimeMessage message, Problems problems) {
        List<InternetAddress> found = addresses(header, message, problems);
        return found.isEmpty() ? null : found.get(0);
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

    private static int lineEnd(byte[] input, int from) {
        int i = from;
        while (i < input.length && input[i] != '\n' && input[i] != '\r') {
            i++;
        }
        return i;
    }

    private static int skipLineBreak(byte[] input, int at) {
        if (at < input.length && input[at] == '\r') {
            at++;
        }
        if (at < input.length && input[at] == '\n') {
            at++;
        }
        return at;
    }

    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("[\\r\\n]+", " ");
        return oneLine.length() <= 60 ? oneLine : oneLine.substring(0, 57) + "...";
    }
}
