package dev.mailroute.ingress.smtp;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;

import dev.mailroute.observability.MailEvents;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

/**
 * Whom the SMTP listener talks to, decided at connect, before the greeting: clients outside
 * {@code mailroute.smtpd.allowedClients} get {@code 554 5.7.1}, and beyond
 * {@code mailroute.smtpd.maxConnections} sessions at once {@code 421 4.7.0} — both with an
 * enhanced status code, which SubEthaSMTP's own limit does not give.
 */
final class ClientAccess implements SessionHandler {

    private final ClientNetworks allowed;
    private final int maxConnections;
    private final MailEvents events;
    private final AtomicInteger open = new AtomicInteger();

    ClientAccess(ClientNetworks allowed, int maxConnections, MailEvents events) {
        this.allowed = allowed;
        this.maxConnections = maxConnections;
        this.events = events;
    }

    @Override
    public SessionAcceptance accept(Session session) {
        InetAddress client = session.getRemoteAddress().getAddress();
        if (!allowed.allows(client)) {
            String reply = "5.7.1 " + client.getHostAddress() + " may not use this server"
                           + " (mailroute.smtpd.allowedClients)";
            events.smtpRefused("client-not-allowed", session.getRemoteAddress(), "554 " + reply);
            return SessionAcceptance.failure(554, reply);
        }
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            String reply = "4.7.0 Too many connections, try again later";
            events.smtpRefused("too-many-connections", session.getRemoteAddress(), "421 " + reply);
            return SessionAcceptance.failure(421, reply);
        }
        return SessionAcceptance.success();
    }

    @Override
    public void onSessionEnd(Session session) {
        open.decrementAndGet();
    }
}
