package dev.mailroute.delivery;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLException;

import dev.mailroute.delivery.DeliveryFailure.RecipientReply;
import dev.mailroute.observability.LogText;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.util.MailConnectException;

/**
 * The failure classification (docs/architecture.md, "Failure classes"), in one place. Reads what
 * Angus Mail threw (or the pickup transport's I/O error) and decides, per recipient, whether the
 * attempt is done, to be retried, or failed for good:
 *
 * <ul>
 * <li>transient: connection refused or reset, timeouts, TLS handshake failure, a refused greeting,
 *     421, 450, 451, 452, 432, any 4.x.x enhanced code, 552 on RCPT (treated as 452);</li>
 * <li>permanent: 550, 551, 553, 554, any other 5yz and any 5.x.x enhanced code;</li>
 * <li>partial: some recipients accepted (done, never sent again), the others as above;</li>
 * <li>configuration: authentication refused (530, 534, 535, 538) or required TLS missing.</li>
 * </ul>
 * An enhanced status code wins over the basic code; a reply that fits nothing is transient, so
 * that doubt never loses mail.
 */
public final class FailureClassifier {

    private static final Pattern ENHANCED = Pattern.compile("^\\s*(?:\\d{3}[ -])?([245])\\.(\\d{1,3})\\.(\\d{1,3})\\b");
    private static final Pattern LEADING_CODE = Pattern.compile("^\\s*(\\d{3})\\b");
    private static final Pattern GREETING = Pattern.compile("Got bad greeting from SMTP host.*response: (\\d{3})(.*)",
            Pattern.DOTALL);
    private static final Set<Integer> AUTH_CODES = Set.of(530, 534, 535, 538);

    public DeliveryFailure classify(Throwable error, List<InternetAddress> recipients) {
        String summary = LogText.oneLine(describe(error));

        AuthenticationFailedException auth = find(error, AuthenticationFailedException.class);
        if (auth != null) {
            Reply reply = Reply.parse(-1, auth.getMessage());
            // refused by the relay (535), or — with OAuth 2.0 — by the token endpoint, which names itself
            return whole(true, true, reply.code() < 0 ? 535 : reply.code(), reply,
                    (reply.code() < 0 ? "authentication refused: " : "the relay refused authentication: ") + summary,
                    recipients, false);
        }
        if (summary.contains("STARTTLS is required")) {
            return whole(true, true, -1, Reply.NONE, summary, recipients, false);
        }

        Map<String, SMTPAddressFailedException> refused = refusedRecipients(error);
        SendFailedException sendFailed = find(error, SendFailedException.class);
        Set<String> delivered = addresses(sendFailed == null ? null : sendFailed.getValidSentAddresses());
        SMTPSendFailedException command = find(error, SMTPSendFailedException.class);
        Reply commandReply = command == null ? Reply.NONE : Reply.parse(command.getReturnCode(), command.getMessage());

        if (!refused.isEmpty() || !delivered.isEmpty()) {
            return perRecipient(recipients, delivered, refused, commandReply, summary);
        }
        if (command != null) {
            if (AUTH_CODES.contains(command.getReturnCode())) {
                return whole(true, true, command.getReturnCode(), commandReply,
                        "the relay requires authentication: " + summary, recipients, false);
            }
            boolean permanent = isPermanent(commandReply, false);
            // no reply at all ([EOF]): the relay closed the connection mid-transaction, a reset
            boolean connectionLevel = commandReply.code() == 421 || command.getReturnCode() < 0;
            return whole(false, connectionLevel, commandReply.code(), commandReply,
                    (permanent ? "refused: " : "deferred: ") + summary, recipients, permanent);
        }
        Matcher greeting = GREETING.matcher(summary);
        if (greeting.find()) {
            Reply reply = Reply.parse(Integer.parseInt(greeting.group(1)), greeting.group(1) + greeting.group(2));
            // a relay that refuses the session says nothing about this message
            return whole(false, true, reply.code(), reply, "the relay refused the session: " + summary, recipients,
                    false);
        }
        if (isConnectionProblem(error)) {
            return whole(false, true, -1, Reply.NONE, "cannot talk to the relay: " + summary, recipients, false);
        }
        return whole(false, false, -1, Reply.NONE, summary, recipients, false);
    }

    private static DeliveryFailure perRecipient(List<InternetAddress> recipients, Set<String> delivered,
                                                Map<String, SMTPAddressFailedException> refused, Reply commandReply,
                                                String summary) {
        List<String> done = new ArrayList<>();
        List<RecipientReply> retry = new ArrayList<>();
        List<RecipientReply> failed = new ArrayList<>();
        Reply decisive = commandReply;
        for (InternetAddress recipient : recipients) {
            String address = recipient.getAddress();
            String key = address.toLowerCase(Locale.ROOT);
            if (delivered.contains(key)) {
                done.add(address);
                continue;
            }
            SMTPAddressFailedException refusal = refused.get(key);
            Reply reply = refusal == null ? commandReply : Reply.parse(refusal.getReturnCode(), refusal.getMessage());
            RecipientReply fate = new RecipientReply(address, reply.code(), reply.enhanced(), reply.text());
            if (isPermanent(reply, refusal != null)) {
                failed.add(fate);
                decisive = reply;
            } else {
                retry.add(fate);
                if (decisive == Reply.NONE) {
                    decisive = reply;
                }
            }
        }
        String reason = (done.isEmpty() ? "" : done.size() + " recipient(s) accepted; ")
                        + (failed.isEmpty() ? "" : failed.size() + " refused for good; ")
                        + (retry.isEmpty() ? "" : retry.size() + " deferred; ") + summary;
        return new DeliveryFailure(false, false, decisive.code(), decisive.enhanced(), decisive.text(), reason,
                List.copyOf(done), List.copyOf(retry), List.copyOf(failed));
    }

    private static DeliveryFailure whole(boolean configuration, boolean connectionLevel, int code, Reply reply,
                                         String reason, List<InternetAddress> recipients, boolean permanent) {
        List<RecipientReply> fates = recipients.stream()
                .map(r -> new RecipientReply(r.getAddress(), code, reply.enhanced(), reply.text())).toList();
        return new DeliveryFailure(configuration, connectionLevel, code, reply.enhanced(), reply.text(), reason,
                List.of(), permanent ? List.of() : fates, permanent ? fates : List.of());
    }

    /** 552 on RCPT is "mailbox full" in practice: RFC 5321 §4.5.3.1.10 says treat it as 452. */
    static boolean isPermanent(Reply reply, boolean onRecipient) {
        if (onRecipient && reply.code() == 552) {
            return false;
        }
        if (reply.enhanced() != null) {
            return reply.enhanced().startsWith("5");
        }
        return reply.code() >= 500 && reply.code() <= 599;
    }

    private static boolean isConnectionProblem(Throwable error) {
        return find(error, MailConnectException.class) != null || find(error, SocketException.class) != null
               || find(error, SocketTimeoutException.class) != null || find(error, SSLException.class) != null
               || find(error, UnknownHostException.class) != null
               || (find(error, IOException.class) != null && find(error, MessagingException.class) != null);
    }

    private static Map<String, SMTPAddressFailedException> refusedRecipients(Throwable error) {
        Map<String, SMTPAddressFailedException> refused = new LinkedHashMap<>();
        for (Throwable t : chain(error)) {
            if (t instanceof SMTPAddressFailedException failed && failed.getAddress() != null) {
                refused.putIfAbsent(failed.getAddress().getAddress().toLowerCase(Locale.ROOT), failed);
            }
        }
        return refused;
    }

    private static Set<String> addresses(Address[] addresses) {
        Set<String> result = new HashSet<>();
        if (addresses != null) {
            for (Address address : addresses) {
                result.add(((InternetAddress) address).getAddress().toLowerCase(Locale.ROOT));
            }
        }
        return result;
    }

    /** Causes and Jakarta Mail's "next" exceptions, each once. */
    private static List<Throwable> chain(Throwable error) {
        List<Throwable> all = new ArrayList<>();
        List<Throwable> pending = new ArrayList<>(List.of(error));
        while (!pending.isEmpty()) {
            Throwable t = pending.remove(0);
            if (t == null || all.contains(t)) {
                continue;
            }
            all.add(t);
            pending.add(t.getCause());
            if (t instanceof MessagingException m) {
                pending.add(m.getNextException());
            }
        }
        return all;
    }

    private static <T extends Throwable> T find(Throwable error, Class<T> type) {
        for (Throwable t : chain(error)) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String describe(Throwable error) {
        Throwable innermost = error;
        for (Throwable t : chain(error)) {
            if (t instanceof MessagingException || t instanceof IOException) {
                innermost = t;
                break;
            }
        }
        String message = innermost.getMessage();
        Throwable cause = innermost.getCause() != null ? innermost.getCause()
                : innermost instanceof MessagingException m ? m.getNextException() : null;
        if (cause != null && cause.getMessage() != null && (message == null || !message.contains(cause.getMessage()))) {
            message = (message == null ? "" : message + ": ") + cause.getClass().getSimpleName() + " "
                      + cause.getMessage();
        }
        return message == null ? innermost.getClass().getSimpleName() : message;
    }


    /** A reply as the relay sent it: code, enhanced status code, text. */
    record Reply(int code, String enhanced, String text) {

        static final Reply NONE = new Reply(-1, null, null);

        static Reply parse(int code, String text) {
            if (text == null) {
                return new Reply(code, null, null);
            }
            String line = LogText.oneLine(text);
            if (code < 0) {
                Matcher leading = LEADING_CODE.matcher(line);
                code = leading.find() ? Integer.parseInt(leading.group(1)) : -1;
            }
            Matcher enhanced = ENHANCED.matcher(line);
            return new Reply(code, enhanced.find() ? enhanced.group(1) + "." + enhanced.group(2) + "." + enhanced.group(3)
                    : null, line);
        }
    }
}
