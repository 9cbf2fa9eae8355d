package dev.mailroute.ingress.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.internal.command.AuthCommand;
import org.subethamail.smtp.internal.command.DataCommand;
import org.subethamail.smtp.internal.io.ReceivedHeaderStream;
import org.subethamail.smtp.internal.server.BaseCommand;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.internal.server.CommandHandler;
import org.subethamail.smtp.internal.server.HelpMessage;
import org.subethamail.smtp.internal.server.RequireAuthCommandWrapper;
import org.subethamail.smtp.internal.server.RequireTLSCommandWrapper;
import org.subethamail.smtp.internal.util.SMTPResponseHelper;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;

/**
 * SubEthaSMTP's commands, as mailroute must answer them (MAIL and RCPT: {@link EnvelopeCommands}):
 *
 * <ul>
 * <li>HELO and EHLO keep the client's name only as {@link ClientText#heloName} makes it: it goes
 *     into the {@code Received:} header, where a control character or a 1,000-character name
 *     reached the relay.</li>
 * <li>EHLO announces what the whole path honours, and nothing else: 8BITMIME, SIZE, PIPELINING,
 *     STARTTLS (until it is done), AUTH (under TLS, or to a loopback client). Not SMTPUTF8 —
 *     delivery cannot carry an internationalised address onward, so accepting one would accept
 *     mail that cannot be delivered — nor CHUNKING and ENHANCEDSTATUSCODES, which SubEthaSMTP
 *     announces or half-implements without the rest of the path being tested for them.</li>
 * <li>AUTH is refused outside TLS, except from a loopback client: a password in plain text on the
 *     network is the one thing worse than no password. A session that failed
 *     {@code mailroute.smtpd.auth.maxFailures} times is closed ({@link AuthFailures}).</li>
 * <li>STARTTLS forgets an earlier AUTH (RFC 3207 4.2): SubEthaSMTP forgot HELO and the
 *     transaction, but a session that logged in before TLS stayed logged in, so whatever was sent
 *     in plain text before the handshake kept its authority after it.</li>
 * <li>DATA ends the mail transaction whatever the answer (RFC 5321 4.1.1.4). SubEthaSMTP 7.1.7
 *     keeps it open after a refused message, so a client's next MAIL FROM got
 *     {@code 503 Sender already specified} — found by the listener tests.</li>
 * <li>DATA reads the message in blocks ({@link DataInBlocks}), not a byte at a time through three
 *     streams.</li>
 * <li>BDAT is answered {@code 502}: CHUNKING is not announced, and SubEthaSMTP would otherwise take
 *     a message by a path that none of the above covers.</li>
 * </ul>
 */
final class ListenerCommands {

    private ListenerCommands() {
    }

    /** @param authFailures the limit on failed AUTH, or null when there is no AUTH */
    static void install(CommandHandler handler, SmtpdConsumer consumer, long maxBytes, boolean tls,
                        AuthFailures authFailures) {
        boolean auth = authFailures != null;
        handler.addCommand(new Ehlo(maxBytes, tls, auth));
        // as SubEthaSMTP has it: HELO before STARTTLS is refused when TLS is required
        handler.addCommand(new RequireTLSCommandWrapper(new Helo()));
        // as SubEthaSMTP wraps its DATA: refused before STARTTLS when TLS is required, before AUTH when it is
        handler.addCommand(new DataEndsTransaction(new RequireAuthCommandWrapper(new RequireTLSCommandWrapper(
                new DataReadInBlocks()))));
        handler.addCommand(new NotOffered("BDAT"));
        handler.addCommand(new StartTlsForgetsAuth(handler.getCommand("STARTTLS")));
        EnvelopeCommands.install(handler, consumer, maxBytes, auth);
        if (auth) {
            handler.addCommand(new AuthOnlyWhenSafe(handler.getCommand(AuthCommand.VERB), authFailures));
        }
    }

    /** A loopback client, or a session under TLS: AUTH is offered and taken. */
    static boolean mayAuthenticate(Session session) {
        InetAddress client = session.getRemoteAddress().getAddress();
        return session.isTLSStarted() || client.isLoopbackAddress();
    }

    private static final class Ehlo extends BaseCommand {

        private final long maxBytes;
        private final boolean tls;
        private final boolean auth;

        Ehlo(long maxBytes, boolean tls, boolean auth) {
            super("EHLO", "Introduce yourself.", "<hostname>");
            this.maxBytes = maxBytes;
            this.tls = tls;
            this.auth = auth;
        }

        @Override
        public void execute(String commandString, Session session) throws IOException {
            String[] args = getArgs(commandString);
            if (args.length < 2) {
                session.sendResponse("501 5.5.4 Syntax: EHLO hostname");
                return;
            }
            session.resetMailTransaction();
            session.setHelo(ClientText.heloName(args[1]));
            StringBuilder reply = new StringBuilder("250-").append(session.getServer().getHostName());
            reply.append("\r\n250-PIPELINING");
            reply.append("\r\n250-8BITMIME");
            reply.append("\r\n250-SIZE ").append(maxBytes);
            // RFC 3461: NOTIFY, ORCPT, RET, ENVID are honoured (docs/reports.md)
            reply.append("\r\n250-DSN");
            if (tls && !session.isTLSStarted()) {
                reply.append("\r\n250-STARTTLS");
            }
            if (auth && mayAuthenticate(session) && session.getServer().getAuthenticationHandlerFactory().isPresent()) {
                List<String> mechanisms = session.getServer().getAuthenticationHandlerFactory().get()
                        .getAuthenticationMechanisms();
                reply.append("\r\n250-AUTH ").append(String.join(" ", mechanisms));
            }
            reply.append("\r\n250 HELP");
            session.sendResponse(reply.toString());
        }
    }

    private static final class Helo extends BaseCommand {

        Helo() {
            super("HELO", "Introduce yourself.", "<hostname>");
        }

        @Override
        public void execute(String commandString, Session session) throws IOException {
            String[] args = getArgs(commandString);
            if (args.length < 2) {
                session.sendResponse("501 5.5.4 Syntax: HELO hostname");
                return;
            }
            session.resetMailTransaction();
            session.setHelo(ClientText.heloName(args[1]));
            session.sendResponse("250 " + session.getServer().getHostName());
        }
    }

    private static final class NotOffered extends BaseCommand {

        NotOffered(String verb) {
            super(verb, "Not offered by mailroute.");
        }

        @Override
        public void execute(String commandString, Session session) throws IOException {
            session.sendResponse("502 5.5.1 " + getName() + " is not offered here");
        }
    }

    /** One of SubEthaSMTP's commands, with something done before or after it. */
    private abstract static class Wrapped implements Command {

        final Command wrapped;

        Wrapped(Command wrapped) {
            this.wrapped = wrapped;
        }

        @Override
        public HelpMessage getHelp() throws org.subethamail.smtp.internal.server.CommandException {
            return wrapped.getHelp();
        }

        @Override
        public String getName() {
            return wrapped.getName();
        }
    }

    private static final class DataEndsTransaction extends Wrapped {

        DataEndsTransaction(Command data) {
            super(data);
        }

        @Override
        public void execute(String commandString, Session session) throws IOException, DropConnectionException {
            wrapped.execute(commandString, session);
            // a DATA refused before 354 (no sender, no recipient) leaves the transaction as it was
            if (session.getMessageHandler() instanceof Transaction transaction && transaction.messageRead()) {
                session.resetMailTransaction();
            }
        }
    }

    /** SubEthaSMTP's DATA command, with the message read by {@link DataInBlocks}. */
    private static final class DataReadInBlocks extends Wrapped {

        DataReadInBlocks() {
            super(new DataCommand());
        }

        @Override
        public void execute(String commandString, Session session) throws IOException, DropConnectionException {
            if (!session.isMailTransactionInProgress()) {
                session.sendResponse("503 5.5.1 Error: need MAIL command");
                return;
            }
            if (session.getRecipientCount() == 0) {
                session.sendResponse("503 Error: need RCPT command");
                return;
            }
            session.sendResponse("354 End data with <CR><LF>.<CR><LF>");
            InputStream message = new DataInBlocks(session.getRawInput());
            SMTPServer server = session.getServer();
            if (!server.getDisableReceivedHeaders()) {
                message = new ReceivedHeaderStream(message, session.getHelo(), session.getRemoteAddress().getAddress(),
                        server.getHostName(), Optional.of(server.getSoftwareName()), session.getSessionId(),
                        session.getSingleRecipient());
            }
            String answer;
            try {
                answer = session.getMessageHandler().data(message);
                // what the handler left unread, up to the end of the message: not the next command
                message.transferTo(OutputStream.nullOutputStream());
            } catch (DropConnectionException e) {
                throw e;
            } catch (RejectException e) {
                session.sendResponse(e.getErrorResponse());
                return;
            }
            session.sendResponse(answer == null ? "250 Ok" : SMTPResponseHelper.buildResponse("250", answer));
            session.resetMailTransaction();
        }
    }

    private static final class AuthOnlyWhenSafe extends Wrapped {

        private final AuthFailures failures;

        AuthOnlyWhenSafe(Command auth, AuthFailures failures) {
            super(auth);
            this.failures = failures;
        }

        @Override
        public void execute(String commandString, Session session) throws IOException, DropConnectionException {
            if (!mayAuthenticate(session)) {
                session.sendResponse("538 5.7.11 Encryption required for requested authentication mechanism:"
                                     + " STARTTLS first");
                return;
            }
            wrapped.execute(commandString, session);
            if (failures.exhausted(session)) {
                // AUTH answered 421 (AuthFailures); SubEthaSMTP's AUTH leaves the session open
                session.quit();
            }
        }
    }

    private static final class StartTlsForgetsAuth extends Wrapped {

        /**
         * Session keeps who logged in without a way to forget it (setAuthenticationHandler takes
         * only a handler). Looked up when the listener starts, so that a SubEthaSMTP without
         * it stops the start instead of leaving AUTH across STARTTLS.
         */
        private final Field authentication;

        StartTlsForgetsAuth(Command startTls) {
            super(startTls);
            try {
                authentication = Session.class.getDeclaredField("authenticationHandler");
                authentication.setAccessible(true);
            } catch (NoSuchFieldException | RuntimeException e) {
                throw new IllegalStateException("SubEthaSMTP's Session has no authenticationHandler field to reset"
                                                + " at STARTTLS (" + e + "); is it another version than 7.1.7?", e);
            }
        }

        @Override
        public void execute(String commandString, Session session) throws IOException, DropConnectionException {
            boolean before = session.isTLSStarted();
            wrapped.execute(commandString, session);
            if (!before && session.isTLSStarted()) {
                try {
                    authentication.set(session, Optional.empty());
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }
}
