package dev.mailroute.message;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.eclipse.angus.mail.smtp.SMTPMessage;

/**
 * What a request asks of delivery status notifications (RFC 3461): NOTIFY on each RCPT TO —
 * NEVER, or any of SUCCESS, FAILURE, DELAY — and RET on MAIL FROM (FULL or HDRS). Part of the
 * envelope, not of the message: it travels on the queue as {@code mailrouteDsnNotify} and
 * {@code mailrouteDsnRet}, and reaches the relay only when it announces DSN.
 *
 * @param notifyOn empty for the relay's default; {@link Notify#NEVER} alone for never
 * @param ret null for the relay's default
 */
public record Dsn(Set<Notify> notifyOn, Ret ret) {

    public static final Dsn NONE = new Dsn(Set.of(), null);

    public enum Notify { NEVER, SUCCESS, FAILURE, DELAY }

    public enum Ret { FULL, HDRS }

    public boolean requested() {
        return !notifyOn.isEmpty() || ret != null;
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
