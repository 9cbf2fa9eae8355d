package dev.mailroute.ingress.smtp;

import java.io.IOException;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.mailroute.message.Dsn;
import dev.mailroute.message.Xtext;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.internal.server.BaseCommand;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.internal.server.CommandHandler;
import org.subethamail.smtp.internal.server.RequireAuthCommandWrapper;
import org.subethamail.smtp.internal.server.RequireTLSCommandWrapper;
import org.subethamail.smtp.server.Session;

/**
 * MAIL and RCPT in place of SubEthaSMTP's, which dropped what followed the first address, ignored
 * parameters they did not know and answered {@code SIZE=} beyond 2^31 with a
 * NumberFormatException. Each argument is read whole ({@link EnvelopeArgument}); a parameter that
 * EHLO did not announce gets {@code 555 5.5.4} naming it (RFC 5321 4.1.1.11). What EHLO announces
 * and these take: SIZE, BODY (7BIT, 8BITMIME), and RET and ENVID (DSN, RFC 3461) on MAIL, AUTH=
 * (RFC 4954) when AUTH is offered; NOTIFY and ORCPT (DSN) on RCPT. A malformed DSN parameter gets
 * {@code 501 5.5.4} naming it.
 */
final class EnvelopeCommands {

    /** RFC 3461 4.4: an ENVID of at most 100 characters (as xtext), 5.2.2.1: an ORCPT of at most 500. */
    static final int MAX_ENVID = 100;
    static final int MAX_ORCPT = 500;

    private EnvelopeCommands() {
    }

    /** Both, behind SubEthaSMTP's own checks for STARTTLS and AUTH when those are required. */
    static void install(CommandHandler handler, SmtpdConsumer consumer,
                        long maxBytes, boolean auth) {
        handler.addCommand(guarded(new Mail(consumer, maxBytes, auth)));
        handler.addCommand(guarded(new Rcpt(consumer)));
    }

    private static Command guarded(Command command) {
        return new RequireAuthCommandWrapper(new RequireTLSCommandWrapper(command));
    }

    /** The argument, or null when the client was told why not. */
    private static EnvelopeArgument argument(SmtpdConsumer consumer, Session session, String command, String verb,
                                             String prefix) throws IOException {
        try {
            return EnvelopeArgument.parse(command, verb, prefix);
        } catch (EnvelopeArgument.Refusal refused) {
            session.sendResponse(consumer.refuse(session, refused.reason, refused.code, refused.text)
                    .getErrorResponse());
            return null;
        }
    }

    /** A DSN parameter's value; null when not given; given without one, refused. */
    private static String valued(SmtpdConsumer consumer, Map<String, String> parameters, String keyword,
                                 Session session) throws RejectException {
        if (parameters.containsKey(keyword) && parameters.get(keyword) == null) {
            throw consumer.refuse(session, "invalid-parameter", 501, "5.5.4 " + keyword + " needs a value ("
                                                                     + keyword + "=...)");
        }
        return parameters.get(keyword);
    }

    private static String notOffered(String command, String keyword) {
        String shown = ClientText.shown(keyword, 40);
        if ("SMTPUTF8".equals(keyword)) {
            return "5.5.4 " + command + " parameter SMTPUTF8 is not offered here: internationalised addresses are"
                   + " not relayed";
        }
        return "5.5.4 " + command + " parameter " + shown + " is not offered here (not announced in EHLO)";
    }

    private static final class Mail extends BaseCommand {

        private final SmtpdConsumer consumer;
        private final long maxBytes;
        private final boolean auth;

        Mail(SmtpdConsumer consumer, long maxBytes, boolean auth) {
            super("MAIL", "Specifies the sender.", "FROM: <sender> [ <parameters> ]");
            this.consumer = consumer;
            this.maxBytes = maxBytes;
            this.auth = auth;
        }

        @Override
        public void execute(String command, Session session) throws IOException, DropConnectionException {
            if (session.isMailTransactionInProgress()) {
                session.sendResponse("503 5.5.1 Sender already specified.");
                return;
            }
            EnvelopeArgument argument = argument(consumer, session, command, "MAIL", "FROM:");
            if (argument == null) {
                return;
            }
            long size;
            try {
                size = size(argument.parameters(), session);
            } catch (RejectException refused) {
                session.sendResponse(refused.getErrorResponse());
                return;
            }
            Dsn.Ret ret;
            String envid;
            try {
                ret = ret(valued(consumer, argument.parameters(), "RET", session), session);
                envid = envid(valued(consumer, argument.parameters(), "ENVID", session), session);
            } catch (RejectException refused) {
                session.sendResponse(refused.getErrorResponse());
                return;
            }
            session.setDeclaredMessageSize((int) Math.min(Integer.MAX_VALUE, size));
            session.startMailTransaction();
            try {
                session.getMessageHandler().from(argument.address());
                if (session.getMessageHandler() instanceof Transaction transaction) {
                    transaction.dsn(ret, envid);
                }
            } catch (DropConnectionException e) {
                session.resetMailTransaction();
                throw e;
            } catch (RejectException e) {
                session.resetMailTransaction();
                session.sendResponse(e.getErrorResponse());
                return;
            }
            session.sendResponse("250 Ok");
        }

        /** The declared SIZE (0 when none), after every parameter was checked. */
        private long size(Map<String, String> parameters, Session session) throws RejectException {
            long size = 0;
            for (Map.Entry<String, String> parameter : parameters.entrySet()) {
                String keyword = parameter.getKey();
                String value = parameter.getValue();
                switch (keyword) {
                    case "SIZE" -> size = declaredSize(value, session);
                    case "BODY" -> {
                        String body = value == null ? "" : value.toUpperCase(Locale.ROOT);
                        if (!body.equals("7BIT") && !body.equals("8BITMIME")) {
                            throw refuse(session, "invalid-parameter", 555, "5.5.4 MAIL FROM parameter BODY="
                                    + ClientText.shown(String.valueOf(value), 40) + " is not offered here (7BIT or"
                                    + " 8BITMIME)");
                        }
                    }
                    case "AUTH" -> {
                        // RFC 4954 5: who submitted the message; mailroute goes by the session's own AUTH
                        if (!auth) {
                            throw refuse(session, "invalid-parameter", 555, notOffered("MAIL FROM", keyword));
                        }
                        if (value == null) {
                            throw refuse(session, "invalid-parameter", 501, "5.5.4 AUTH needs a value"
                                                                            + " (AUTH=<> or AUTH=user)");
                        }
                    }
                    case "RET", "ENVID" -> {
                        // DSN (RFC 3461): read by ret() and envid()
                    }
                    default -> throw refuse(session, "invalid-parameter", 555, notOffered("MAIL FROM", keyword));
                }
            }
            return size;
        }

        private Dsn.Ret ret(String value, Session session) throws RejectException {
            if (value == null) {
                return null;
            }
            return switch (value.toUpperCase(Locale.ROOT)) {
                case "FULL" -> Dsn.Ret.FULL;
                case "HDRS" -> Dsn.Ret.HDRS;
                default -> throw refuse(session, "invalid-parameter", 501, "5.5.4 RET="
                        + ClientText.shown(value, 40) + " is neither FULL nor HDRS");
            };
        }

        private String envid(String value, Session session) throws RejectException {
            if (value == null) {
                return null;
            }
            try {
                if (value.length() > MAX_ENVID) {
                    throw new IllegalArgumentException("is longer than " + MAX_ENVID + " characters");
                }
                return Xtext.decode(value);
            } catch (IllegalArgumentException e) {
                throw refuse(session, "invalid-parameter", 501, "5.5.4 ENVID=" + ClientText.shown(value, 40)
                        + " is not an RFC 3461 xtext: " + e.getMessage());
            }
        }

        private long declaredSize(String value, Session session) throws RejectException {
            if (value == null || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw refuse(session, "invalid-parameter", 501, "5.5.4 SIZE="
                        + ClientText.shown(String.valueOf(value), 40) + " is not a number of bytes");
            }
            String digits = value.replaceFirst("^0+(?=.)", "");
            // more digits than a long holds is more than any limit
            long size = digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
            if (size > maxBytes) {
                throw refuse(session, "too-large", 552, "5.3.4 Message size exceeds fixed limit: SIZE="
                        + ClientText.shown(value, 40) + " is more than the " + maxBytes
                        + " bytes of mailroute.message.maxBytes");
            }
            return size;
        }

        private RejectException refuse(Session session, String reason, int code, String text) {
            return consumer.refuse(session, reason, code, text);
        }
    }

    private static final class Rcpt extends BaseCommand {

        private final SmtpdConsumer consumer;

        Rcpt(SmtpdConsumer consumer) {
            super("RCPT", "Specifies the recipient. Can be used any number of times.", "TO: <recipient>");
            this.consumer = consumer;
        }

        @Override
        public void execute(String command, Session session) throws IOException, DropConnectionException {
            if (!session.isMailTransactionInProgress()) {
                session.sendResponse("503 5.5.1 Error: need MAIL command");
                return;
            }
            EnvelopeArgument argument = argument(consumer, session, command, "RCPT", "TO:");
            if (argument == null) {
                return;
            }
            Set<Dsn.Notify> notify;
            String orcpt;
            try {
                for (String keyword : argument.parameters().keySet()) {
                    if (!keyword.equals("NOTIFY") && !keyword.equals("ORCPT")) {
                        throw consumer.refuse(session, "invalid-parameter", 555, notOffered("RCPT TO", keyword));
                    }
                }
                notify = notify(valued(consumer, argument.parameters(), "NOTIFY", session), session);
                orcpt = orcpt(valued(consumer, argument.parameters(), "ORCPT", session), session);
            } catch (RejectException refused) {
                session.sendResponse(refused.getErrorResponse());
                return;
            }
            try {
                if (session.getMessageHandler() instanceof Transaction transaction) {
                    transaction.recipient(argument.address(), notify, orcpt);
                } else {
                    session.getMessageHandler().recipient(argument.address());
                }
                session.addRecipient(argument.address());
                session.sendResponse("250 Ok");
            } catch (DropConnectionException e) {
                throw e;
            } catch (RejectException e) {
                session.sendResponse(e.getErrorResponse());
            }
        }

        /** NOTIFY=NEVER, or any of SUCCESS, FAILURE, DELAY; null when not given. */
        private Set<Dsn.Notify> notify(String value, Session session) throws RejectException {
            if (value == null) {
                return null;
            }
            Set<Dsn.Notify> options = EnumSet.noneOf(Dsn.Notify.class);
            for (String option : value.toUpperCase(Locale.ROOT).split(",", -1)) {
                try {
                    options.add(Dsn.Notify.valueOf(option));
                } catch (IllegalArgumentException e) {
                    throw refuse(session, "5.5.4 NOTIFY=" + ClientText.shown(value, 40) + " is not NEVER or a list of"
                                          + " SUCCESS, FAILURE, DELAY");
                }
            }
            if (options.contains(Dsn.Notify.NEVER) && options.size() > 1) {
                throw refuse(session, "5.5.4 NOTIFY=NEVER cannot be combined with another value");
            }
            return options;
        }

        /** ORCPT=addr-type;xtext, decoded: "rfc822;user@example.com"; null when not given. */
        private String orcpt(String value, Session session) throws RejectException {
            if (value == null) {
                return null;
            }
            int semicolon = value.indexOf(';');
            try {
                if (value.length() > MAX_ORCPT) {
                    throw new IllegalArgumentException("is longer than " + MAX_ORCPT + " characters");
                }
                if (semicolon < 1 || !value.substring(0, semicolon).matches("[A-Za-z0-9][A-Za-z0-9-]*")) {
                    throw new IllegalArgumentException("is not addr-type;address (rfc822;user@example.com)");
                }
                String address = Xtext.decode(value.substring(semicolon + 1));
                if (address.isEmpty()) {
                    throw new IllegalArgumentException("names no address");
                }
                return value.substring(0, semicolon) + ";" + address;
            } catch (IllegalArgumentException e) {
                throw refuse(session, "5.5.4 ORCPT=" + ClientText.shown(value, 40) + " " + e.getMessage());
            }
        }

        private RejectException refuse(Session session, String text) {
            return consumer.refuse(session, "invalid-parameter", 501, text);
        }
    }
}
