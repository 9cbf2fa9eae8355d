package dev.mailroute.notify;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Date;
import java.util.List;
import java.util.Properties;

import dev.mailroute.ledger.LedgerEvent;
import dev.mailroute.message.Dsn;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MailDateFormat;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.eclipse.angus.mail.dsn.MultipartReport;

/**
 * One RFC 3464 report that a message failed for some of its recipients, or is still being retried
 * for some (a delay notice), or both, or was handed to a relay that offers no delivery
 * notifications although its sender asked to hear of success ("relayed"), as Angus Mail's DSN module
 * writes it: {@code multipart/report; report-type=delivery-status} with a part a person reads, the
 * {@code message/delivery-status} part a program reads (per message: Reporting-MTA, Arrival-Date;
 * and Original-Envelope-Id when the sender gave ENVID; per recipient: Original-Recipient — the ORCPT
 * the sender gave, else the address — Final-Recipient, Action, Status, Remote-MTA, Diagnostic-Code,
 * Last-Attempt-Date), and the original's headers — or the whole original when its sender asked for
 * RET=FULL and it is at most {@link #RETURN_FULL_LIMIT} bytes — exactly as queued. The relay's
 * answers and the addresses are a stranger's text: cut to one printable ASCII line of bounded
 * length before they are written into the report's own parts.
 *
 * @param original the message as it was queued
 * @param failed the recipients it failed for, with the answer that ended each (Action: failed)
 * @param delayed the recipients still being retried, with their last answer (Action: delayed)
 * @param relayed the recipients handed to a relay without DSN, with its answer (Action: relayed)
 * @param dsn what the sender asked: RET, and ENVID and ORCPT to be given back
 * @param retryUntil when the retries of the delayed recipients end (epoch millis)
 * @param remoteMta the relay that answered (host:port), or null when none did
 */
public record DeliveryReport(String reportingMta, InternetAddress from, InternetAddress to, String originalId,
                             long acceptedAt, long lastAttemptAt, Dsn dsn, byte[] original,
                             List<LedgerEvent.Outcome> failed, List<LedgerEvent.Outcome> delayed,
                             List<LedgerEvent.Outcome> relayed, long retryUntil, String remoteMta) {

    static final String SUBJECT = "Undelivered Mail Returned to Sender";
    static final String DELAY_SUBJECT = "Delayed Mail (still being retried)";
    static final String RELAYED_SUBJECT = "Successful Mail Delivery Report";
    /** A relay's answer in a report, at most: the ledger keeps as much. */
    private static final int ANSWER_CHARS = 500;
    private static final Session SESSION = Session.getInstance(new Properties());
    /**
     * The largest original a report returns whole (RET=FULL); a larger one comes back as its
     * headers, so that a report never outgrows what the relay takes. Postfix's bounce_size_limit.
     */
    static final int RETURN_FULL_LIMIT = 50_000;

    /** The report's MIME bytes, with a Message-ID of its own. */
    public byte[] toBytes() throws MessagingException, IOException {
        MimeMessage report = new MimeMessage(SESSION);
        report.setFrom(from);
        report.setRecipient(MimeMessage.RecipientType.TO, to);
        report.setSubject(!failed.isEmpty() ? SUBJECT : !delayed.isEmpty() ? DELAY_SUBJECT : RELAYED_SUBJECT, "us-ascii");
        report.setSentDate(new Date(lastAttemptAt));
        // RFC 3834: a report is answered by no one, least of all by another report
        report.setHeader("Auto-Submitted", "auto-replied");
        MimeMessage returned = new Unchanged(original);
        MultipartReport body = new MultipartReport(text(), status());
        // a MessageHeaders becomes the text/rfc822-headers part, any other message message/rfc822
        body.setReturnedMessage(returnsAll() ? returned : new UnchangedHeaders(headersOf(returned)));
        report.setContent(body);
        report.saveChanges();
        // after saveChanges, which would name the JVM's host: the reporting MTA's, as in Reporting-MTA
        report.setHeader("Message-ID", "<" + java.util.UUID.randomUUID() + "@" + reportingMta + ">");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(original.length / 2 + 4096);
        report.writeTo(bytes);
        return bytes.toByteArray();
    }

    /**
     * The whole original comes back when its sender asked (RET=FULL), the report tells of a failure
     * (RFC 3461 4.3: RET is for failed DSNs; a delay or relayed notice has the headers) and it is
     * small enough.
     */
    private boolean returnsAll() {
        return dsn.ret() == Dsn.Ret.FULL && !failed.isEmpty() && original.length <= RETURN_FULL_LIMIT;
    }

    /**
     * The original as it was queued: saving the report must not give it new headers (Jakarta Mail
     * would give it a Message-ID of its own, and the sender could no longer tell which message failed).
     */
    private static final class Unchanged extends MimeMessage {
        Unchanged(byte[] mime) throws MessagingException {
            super(SESSION, new ByteArrayInputStream(mime));
        }

        @Override
        protected void updateHeaders() {
            // as queued
        }
    }

    /** The original's headers, likewise kept as they were. */
    private static final class UnchangedHeaders extends org.eclipse.angus.mail.dsn.MessageHeaders {
        UnchangedHeaders(InternetHeaders headers) throws MessagingException {
            super(headers);
        }

        @Override
        protected void updateHeaders() {
            // as queued
        }
    }

    private DeliveryStatus status() throws MessagingException {
        MailDateFormat dates = new MailDateFormat();
        DeliveryStatus status = new DeliveryStatus();
        InternetHeaders perMessage = new InternetHeaders();
        perMessage.addHeader("Reporting-MTA", "dns; " + reportingMta);
        if (dsn.envid() != null) {
            perMessage.addHeader("Original-Envelope-Id", line(dsn.envid(), 100));
        }
        perMessage.addHeader("X-Mailroute-Id", originalId);
        perMessage.addHeader("Arrival-Date", dates.format(new Date(acceptedAt)));
        status.setMessageDSN(perMessage);
        for (LedgerEvent.Outcome recipient : failed) {
            status.addRecipientDSN(perRecipient(recipient, "failed", statusCode(recipient), dates));
        }
        for (LedgerEvent.Outcome recipient : delayed) {
            InternetHeaders perRecipient = perRecipient(recipient, "delayed", delayCode(recipient), dates);
            perRecipient.addHeader("Will-Retry-Until", dates.format(new Date(retryUntil)));
            status.addRecipientDSN(perRecipient);
        }
        for (LedgerEvent.Outcome recipient : relayed) {
            status.addRecipientDSN(perRecipient(recipient, "relayed", "2.0.0", dates));
        }
        return status;
    }

    private InternetHeaders perRecipient(LedgerEvent.Outcome recipient, String action, String statusCode,
                                         MailDateFormat dates) {
        InternetHeaders perRecipient = new InternetHeaders();
        String address = line(recipient.address(), 320);
        // the address as the sender gave it (ORCPT), else the one mailroute was given, which it does not rewrite
        String original = dsn.originalRecipients().get(recipient.address());
        perRecipient.addHeader("Original-Recipient", original == null ? "rfc822; " + address : typed(original));
        perRecipient.addHeader("Final-Recipient", "rfc822; " + address);
        perRecipient.addHeader("Action", action);
        perRecipient.addHeader("Status", statusCode);
        if (remoteMta != null && recipient.replyCode() > 0) {
            perRecipient.addHeader("Remote-MTA", "dns; " + host(remoteMta));
        }
        perRecipient.addHeader("Diagnostic-Code", diagnostic(recipient));
        perRecipient.addHeader("Last-Attempt-Date", dates.format(new Date(lastAttemptAt)));
        return perRecipient;
    }

    /** What a person reads first: who did not get it and what was answered. */
    private String text() {
        StringBuilder text = new StringBuilder();
        text.append("This is the mail system at ").append(reportingMta).append(".\r\n\r\n");
        if (!failed.isEmpty()) {
            text.append("Your message could not be delivered to the recipients below. ")
                        .append(returnsAll() ? "It is attached." : "Its headers are attached.").append("\r\n\r\n");
            for (LedgerEvent.Outcome recipient : failed) {
                text.append('<').append(line(recipient.address(), 320)).append(">: ")
                        .append(recipient.state().equals("expired") ? "not delivered in the time allowed; last answer: "
                                : "")
                        .append(answer(recipient)).append("\r\n");
            }
            text.append("\r\n");
        }
        if (!delayed.isEmpty()) {
            text.append("Your message has not been delivered yet to the recipients below. This is only a notice:"
                        + " delivery is tried again until ").append(new MailDateFormat().format(new Date(retryUntil)))
                    .append(", and you will hear again only if it then fails.\r\n\r\n");
            for (LedgerEvent.Outcome recipient : delayed) {
                text.append('<').append(line(recipient.address(), 320)).append(">: last answer: ")
                        .append(answer(recipient)).append("\r\n");
            }
        }
        if (!relayed.isEmpty()) {
            text.append("Your message was handed to the next mail system for the recipients below. It offers no"
                        + " delivery notifications, so this is the last notice you will get of their delivery.\r\n\r\n");
            for (LedgerEvent.Outcome recipient : relayed) {
                text.append('<').append(line(recipient.address(), 320)).append(">: ").append(answer(recipient))
                        .append("\r\n");
            }
        }
        return text.toString();
    }

    private static InternetHeaders headersOf(MimeMessage returned) throws MessagingException {
        InternetHeaders headers = new InternetHeaders();
        for (String header : java.util.Collections.list(returned.getAllHeaderLines())) {
            headers.addHeaderLine(header);
        }
        return headers;
    }

    /** The enhanced status code the relay gave, else one that says as much as its reply code does. */
    static String statusCode(LedgerEvent.Outcome recipient) {
        String given = recipient.enhancedStatus();
        // an expired recipient keeps the relay's last 4.x.y, as Postfix reports one
        if (given != null && given.matches("[45]\\.\\d{1,3}\\.\\d{1,3}")) {
            return given;
        }
        if (recipient.state().equals("expired")) {
            return "4.4.7"; // delivery time expired
        }
        return "5.0.0";
    }

    /** A delayed recipient's status: the relay's 4.x.y, else "other or undefined transient". */
    static String delayCode(LedgerEvent.Outcome recipient) {
        String given = recipient.enhancedStatus();
        return given != null && given.matches("4\\.\\d{1,3}\\.\\d{1,3}") ? given : "4.0.0";
    }

    private static String diagnostic(LedgerEvent.Outcome recipient) {
        return recipient.replyCode() > 0 ? "smtp; " + answer(recipient) : "x-mailroute; " + answer(recipient);
    }

    /** "550 5.1.1 text" as the relay said it, or mailroute's own reason when no relay answered. */
    private static String answer(LedgerEvent.Outcome recipient) {
        String text = recipient.text() == null ? "" : recipient.text().strip();
        if (recipient.replyCode() > 0 && text.startsWith(Integer.toString(recipient.replyCode()))) {
            return line(text, ANSWER_CHARS); // the relay's whole reply line, code included
        }
        StringBuilder answer = new StringBuilder();
        if (recipient.replyCode() > 0) {
            answer.append(recipient.replyCode()).append(' ');
        }
        if (recipient.enhancedStatus() != null) {
            answer.append(recipient.enhancedStatus()).append(' ');
        }
        answer.append(text);
        return line(answer.toString().strip(), ANSWER_CHARS);
    }

    /** An ORCPT as RFC 3464 writes Original-Recipient: "addr-type; address". */
    private static String typed(String orcpt) {
        int semicolon = orcpt.indexOf(';');
        return line(orcpt.substring(0, semicolon).strip() + "; " + orcpt.substring(semicolon + 1).strip(), 500);
    }

    private static String host(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        return line(colon > 0 && hostAndPort.indexOf(']') < colon ? hostAndPort.substring(0, colon) : hostAndPort, 255);
    }

    /** One line of printable ASCII, at most {@code max} characters: anything else becomes '?'. */
    static String line(String value, int max) {
        StringBuilder line = new StringBuilder(Math.min(value.length(), max));
        for (int i = 0; i < value.length() && line.length() < max; i++) {
            char c = value.charAt(i);
            line.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return line.toString();
    }
}
