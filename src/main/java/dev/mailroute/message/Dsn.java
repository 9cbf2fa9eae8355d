package dev.mailroute.message;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.eclipse.angus.mail.smtp.SMTPMessage;

/**
 * What a request asks of delivery status notifications (RFC 3461): NOTIFY on each RCPT TO —
 * NEVER, or any of SUCCESS, FAILURE, DELAY — and RET on MAIL FROM (FULL or HDRS), and what the
 * sender wants to read in a report: ENVID on MAIL FROM, ORCPT on each RCPT TO. Part of the
 * envelope, not of the message: it travels on the queue as {@code mailrouteDsnNotify},
 * {@code mailrouteDsnRet}, {@code mailrouteDsnEnvid} and {@code mailrouteDsnOrcpt}; NOTIFY, RET and
 * ENVID reach the relay only when it announces DSN.
 *
 * @param notifyOn empty for the relay's default; {@link Notify#NEVER} alone for never
 * @param ret null for the relay's default
 * @param envid the sender's id of this transaction (decoded, printable ASCII), or null
 * @param originalRecipients a recipient's address as the sender gave it (ORCPT, decoded, e.g.
 *     {@code rfc822;Jane.Doe@example.com}), by the recipient it was delivered as
 */
public record Dsn(Set<Notify> notifyOn, Ret ret, String envid, Map<String, String> originalRecipients) {

    public static final Dsn NONE = new Dsn(Set.of(), null);

    public Dsn(Set<Notify> notifyOn, Ret ret) {
        this(notifyOn, ret, null, Map.of());
    }

    public enum Notify { NEVER, SUCCESS, FAILURE, DELAY }

    public enum Ret { FULL, HDRS }

    /** Whether it asks the relay for anything (NOTIFY or RET); ENVID and ORCPT only inform a report. */
    public boolean requested() {
        return !notifyOn.isEmpty() || ret != null;
    }

    /** Whether there is anything to keep on the queue. */
    public boolean given() {
        return requested() || envid != null || !originalRecipients.isEmpty();
    }

    /** ENVID as the queue keeps it (xtext), or null. */
    public String envidLine() {
        return envid == null ? null : Xtext.encode(envid);
    }

    /**
     * ORCPT as the queue keeps it: "recipient original" pairs, each xtext with its commas written
     * {@code +2C} as well (xtext leaves them; a quoted local part may hold one), comma-separated; or null.
     */
    public String orcptLine() {
        return originalRecipients.isEmpty() ? null : originalRecipients.entrySet().stream()
                .map(e -> queueXtext(e.getKey()) + " " + queueXtext(e.getValue()))
                .collect(Collectors.joining(","));
    }

    private static String queueXtext(String text) {
        return Xtext.encode(text).replace(",", "+2C");
    }

    /** NOTIFY's value as RFC 3461 writes it ("SUCCESS,FAILURE"), or null. */
    public String notifyLine() {
        return notifyOn.isEmpty() ? null : notifyOn.stream().sorted().map(Enum::name).collect(Collectors.joining(","));
    }

    public String retLine() {
        return ret == null ? null : ret.name();
    }

    /** From the queue's properties; absent or blank values mean the relay's default. */
    public static Dsn fromLines(String notify, String ret) {
        return fromLines(notify, ret, null, null);
    }

    /**
     * From the queue's properties, ENVID and ORCPT as {@link #envidLine} and {@link #orcptLine} wrote
     * them. An ENVID or ORCPT that cannot be read is left out: NOTIFY and RET still hold.
     */
    public static Dsn fromLines(String notify, String ret, String envid, String orcpt) {
        Dsn options = options(notify, ret);
        Map<String, String> original = new LinkedHashMap<>();
        try {
            if (orcpt != null && !orcpt.isBlank()) {
                for (String pair : orcpt.split(",")) {
                    String[] parts = pair.trim().split(" ");
                    if (parts.length != 2) {
                        throw new IllegalArgumentException("ORCPT entry is not 'recipient original'");
                    }
                    original.put(Xtext.decode(parts[0]), Xtext.decode(parts[1]));
                }
            }
        } catch (IllegalArgumentException e) {
            original.clear();
        }
        String id;
        try {
            id = envid == null || envid.isBlank() ? null : Xtext.decode(envid.trim());
        } catch (IllegalArgumentException e) {
            id = null;
        }
        return new Dsn(options.notifyOn(), options.ret(), id, Map.copyOf(original));
    }

    private static Dsn options(String notify, String ret) {
        Set<Notify> options = EnumSet.noneOf(Notify.class);
        if (notify != null && !notify.isBlank()) {
            for (String option : notify.split(",")) {
                options.add(Notify.valueOf(option.trim().toUpperCase(Locale.ROOT)));
            }
        }
        return new Dsn(Set.copyOf(options), ret == null || ret.isBlank() ? null
                : Ret.valueOf(ret.trim().toUpperCase(Locale.ROOT)));
    }

    /** Hands the options to Angus Mail, which sends them only to a relay that announces DSN. */
    public void applyTo(SMTPMessage message) {
        int options = 0;
        for (Notify option : notifyOn) {
            options |= switch (option) {
                case NEVER -> SMTPMessage.NOTIFY_NEVER;
                case SUCCESS -> SMTPMessage.NOTIFY_SUCCESS;
                case FAILURE -> SMTPMessage.NOTIFY_FAILURE;
                case DELAY -> SMTPMessage.NOTIFY_DELAY;
            };
        }
        message.setNotifyOptions(options);
        message.setReturnOption(ret == null ? 0 : ret == Ret.FULL ? SMTPMessage.RETURN_FULL : SMTPMessage.RETURN_HDRS);
    }
}
