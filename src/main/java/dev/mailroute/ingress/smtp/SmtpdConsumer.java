package dev.mailroute.ingress.smtp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import dev.mailroute.accept.MailAcceptor;
import dev.mailroute.accept.MessageTooLargeException;
import dev.mailroute.accept.RejectedMessageException;
import dev.mailroute.accept.SenderPolicy;
import dev.mailroute.accept.SenderRefusedException;
import dev.mailroute.message.Dsn;
import dev.mailroute.message.InFlightBytes;
import dev.mailroute.message.Envelope;
import dev.mailroute.message.Handover;
import dev.mailroute.settings.Hosts;
import dev.mailroute.settings.StartupCheckException;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * Runs the SMTP server while the route runs, and hands each message to the route (the accept
 * pipeline) synchronously: the client's end of DATA is answered from what the route did.
 */
final class SmtpdConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpdConsumer.class);

    private final SmtpdSettings settings;
    private SMTPServer server;
    private SmtpUsers users;

    SmtpdConsumer(SmtpdEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.settings = endpoint.getComponent().settings();
    }

    private SmtpdComponent component() {
        return ((SmtpdEndpoint) getEndpoint()).getComponent();
    }

    SmtpdSettings settings() {
        return settings;
    }

    long maxBytes() {
        return component().maxBytes();
    }

    InFlightBytes inFlight() {
        return component().inFlight();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        users = component().users();
        SMTPServer.Builder builder = SMTPServer.port(settings.port())
                .bindAddress(InetAddress.getByName(settings.host()))
                .serverSocketFactory(NoDelayServerSocket::new)
                .hostName(settings.hostname() != null ? settings.hostname() : Hosts.localName())
                .softwareName("mailroute")
                .messageHandlerFactory(context -> new Transaction(this, context, sendersOf(context)))
                .sessionHandler(new ClientAccess(settings.allowedClients(), settings.maxConnections(),
                        component().events()))
                // ClientAccess answers the limit first, with an enhanced status code
                .maxConnections(settings.maxConnections() + 16)
                .connectionTimeout((int) Math.min(Integer.MAX_VALUE, settings.timeoutMillis()), TimeUnit.MILLISECONDS)
                .maxMessageSize((int) Math.min(Integer.MAX_VALUE, maxBytes()))
                .maxRecipients(-1) // Transaction answers the limit, with an enhanced status code
                .insertReceivedHeaders();
        AuthFailures authFailures = users == null ? null
                : new AuthFailures(new EasyAuthenticationHandlerFactory(this::login), settings.authMaxFailures(), this);
        SSLContext tls = component().tls();
        if (tls != null) {
            builder.enableTLS().startTlsSocketFactory(ListenerTls.sockets(tls)).requireTLS(settings.tlsRequired());
        }
        if (users != null) {
            builder.authenticationHandlerFactory(authFailures)
                    .requireAuth(settings.requireAuth());
        }
        server = builder.build();
        ListenerCommands.install(server.getCommandHandler(), this, maxBytes(), settings.tls(), authFailures);
        try {
            server.start();
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new StartupCheckException("mailroute.smtpd.port=" + settings.port() + ": the SMTP listener cannot"
                                            + " listen on " + settings.host() + ":" + settings.port() + " ("
                                            + cause.getMessage() + "). Fix: stop what uses that port, or set"
                                            + " mailroute.smtpd.port (and mailroute.smtpd.host) to an address that"
                                            + " is free, or mailroute.smtpd.enabled=false");
        }
        LOG.info("SMTP listener on {}:{} for clients {}{}{}", settings.host(), server.getPortAllocated(),
                settings.allowedClients(), settings.tls() ? ", STARTTLS" + (settings.tlsRequired() ? " required" : "")
                        : "", users == null ? "" : ", AUTH" + (settings.requireAuth() ? " required" : ""));
    }

    @Override
    protected void doStop() throws Exception {
        if (server != null) {
            server.stop();
            server = null;
        }
        super.doStop();
    }

    private void login(String user, String password, MessageContext context) throws LoginFailedException {
        if (!users.matches(user, password)) {
            // AuthFailures answers 535 5.7.8, or 421 once the session failed too often; the user
            // name is the client's, shown printable and bounded, and the password is never shown
            component().events().smtpRefused("auth-failed", remote(context), "535 5.7.8 for user '"
                    + ClientText.shown(String.valueOf(user), 64) + "'");
            throw new LoginFailedException();
        }
    }

    /** The sender patterns of the user the session authenticated as, or none. */
    private List<String> sendersOf(MessageContext context) {
        if (users == null || context.getAuthenticationHandler().isEmpty()) {
            return List.of();
        }
        Object identity = context.getAuthenticationHandler().get().getIdentity();
        return identity == null ? List.of() : users.senders(identity.toString());
    }

    /** Why the sender may not be used, or null when it may. */
    String senderRefusal(String address, List<String> userPatterns) {
        try {
            component().senderPolicy().check(List.of(new SenderPolicy.Sender("MAIL FROM", address)),
                    userPatterns.isEmpty() ? null : userPatterns);
            return null;
        } catch (SenderRefusedException e) {
            return Transaction.firstProblem(e);
        }
    }

    /** Hands a message to the route; the exchange, with its exception if the route refused it or failed. */
    Exchange accept(byte[] message, Envelope envelope, Dsn dsn, List<String> userPatterns, String submitter) {
        Exchange exchange = createExchange(false);
        exchange.setProperty(Handover.SUBMITTER, submitter);
        exchange.getMessage().setBody(message);
        exchange.setProperty(Handover.FORMAT, MailAcceptor.Format.RFC822.name().toLowerCase());
        exchange.setProperty(Handover.ENVELOPE, envelope);
        if (dsn.given()) {
            exchange.setProperty(Handover.DSN, dsn);
        }
        if (!userPatterns.isEmpty()) {
            exchange.setProperty(SenderPolicy.REQUEST_PATTERNS, userPatterns);
        }
        try {
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        return exchange;
    }

    /** The reply for what the route refused or failed at: 5xx for the message, 451 for the queue. */
    RejectException refusal(MessageContext client, Exception failure) {
        if (failure instanceof SenderRefusedException refused) {
            return refuse(client, "sender-not-allowed", 553, "5.7.1 " + Transaction.firstProblem(refused));
        }
        if (failure instanceof MessageTooLargeException) {
            return refuse(client, "too-large", 552, "5.3.4 Message size exceeds the limit of " + maxBytes()
                                                    + " bytes (mailroute.message.maxBytes)");
        }
        if (failure instanceof RejectedMessageException rejected) {
            component().events().rejected("smtp", rejected.getMessage());
            return refuse(client, "invalid-message", 550, "5.6.0 " + Transaction.firstProblem(rejected));
        }
        LOG.error("could not queue a message from SMTP: {}", String.valueOf(failure), failure);
        return refuse(client, "queue-unavailable", 451, "4.3.0 the queue could not take the message;"
                                                        + " try again later");
    }

    /** Counts and logs the refusal by its reason, and makes the reply. */
    RejectException refuse(MessageContext client, String reason, int code, String text) {
        component().events().smtpRefused(reason, remote(client), code + " " + text);
        return new RejectException(code, text);
    }

    private static InetSocketAddress remote(MessageContext context) {
        return context.getRemoteAddress() instanceof InetSocketAddress address ? address : null;
    }
}
