package dev.mailroute.message;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/**
 * The SMTP envelope: who the message is from (MAIL FROM) and who receives it (RCPT TO). It is
 * kept apart from the headers because they may differ: Bcc recipients are in the envelope only,
 * and a pickup file's X-Receiver lines override its To/Cc.
 *
 * @param sender null for the null sender ({@code MAIL FROM:<>}) of a delivery status report, to
 *     which no report is ever sent (RFC 5321 4.5.5)
 */
public record Envelope(InternetAddress sender, List<InternetAddress> recipients) {

    public Envelope {
        recipients = distinct(recipients);
    }

    /** The recipients as one header-safe line of bare addresses, for the queue message's properties. */
    public String recipientsLine() {
        return recipients.stream().map(InternetAddress::getAddress).collect(Collectors.joining(", "));
    }

    /** The sender's address; empty for the null sender. */
    public String senderAddress() {
        return sender == null ? "" : sender.getAddress();
    }

    public boolean nullSender() {
        return sender == null;
    }

    /** From the queue's properties: an empty sender line is the null sender. */
    public static Envelope fromLines(String sender, String recipients) throws AddressException {
        return new Envelope(sender.isEmpty() ? null : new InternetAddress(sender, false),
                List.of(InternetAddress.parse(recipients, false)));
    }

    /** The same mailbox listed twice (To and Bcc, different case) is one RCPT. */
    private static List<InternetAddress> distinct(List<InternetAddress> recipients) {
        Map<String, InternetAddress> byAddress = new LinkedHashMap<>();
        for (InternetAddress recipient : recipients) {
            byAddress.putIfAbsent(recipient.getAddress().toLowerCase(Locale.ROOT), recipient);
        }
        return List.copyOf(new ArrayList<>(byAddress.values()));
    }
}
