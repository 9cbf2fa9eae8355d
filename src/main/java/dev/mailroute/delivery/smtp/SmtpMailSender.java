package dev.mailroute.delivery.smtp;

import java.util.Properties;

import dev.mailroute.message.QueuedMessage;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.apache.camel.component.mail.JavaMailSender;
import org.apache.camel.component.mail.MailAuthenticator;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The sender plugged into camel-mail's SMTP producer ({@code javaMailSender=#smtpMailSender}).
 * Unlike camel-mail's default it sends to the message's envelope, not to its headers: Bcc and
 * X-Receiver recipients get the message, and the message bytes are sent as accepted, without
 * {@code saveChanges()} rewriting them. Angus never transmits a Bcc header. And it keeps its
 * sessions to the relay open in a pool instead of connecting for every message.
 */
public class SmtpMailSender extends ServiceSupport implements JavaMailSender {

    private final SmtpSettings settings;
    private final RelayCredentials credentials;
    private final Session session;
    private final SmtpConnectionPool pool;

    public SmtpMailSender(SmtpSettings settings, RelayCredentials credentials, PoolSettings poolSettings) {
        this.settings = settings;
        this.credentials = credentials;
        this.session = Session.getInstance(settings.sessionProperties());
        this.pool = new SmtpConnectionPool(session, settings, credentials, poolSettings);
    }

    public RelayCredentials credentials() {
        return credentials;
    }

    @Override
    protected void doStop() {
        pool.close();
    }

    /** Connections opened so far (for tests and metrics). */
    public long connectionsOpened() {
        return pool.created();
    }

    public int connectionsIdle() {
        return pool.idle();
    }

    public long connectionsOpen() {
        return pool.open();
    }

    @Override
    public void send(MimeMessage message) throws MessagingException {
        if (!(message instanceof QueuedMessage queued)) {
            throw new MessagingException("SmtpMailSender sends messages taken from mail.outbound only, got "
                                         + message.getClass().getName());
        }
        Address[] recipients = queued.envelope().recipients().toArray(InternetAddress[]::new);
        SmtpConnectionPool.Sending sending = transport -> {
            // Angus sends NOTIFY and RET only to a relay that announces DSN; the event log says so
            boolean dsn = ((SMTPTransport) transport).supportsExtension("DSN");
            // each session the pool tries says it again: a retry on another relay session counts, not the first
            queued.dsnOffered(dsn);
            // ENVID goes on with NOTIFY and RET to a relay that announces DSN, and to no other (555 there)
            queued.setMailExtension(dsn && queued.dsn().envid() != null ? "ENVID=" + queued.dsn().envidLine() : null);
            try {
                transport.sendMessage(queued, recipients);
            } finally {
                // also when some recipients were refused: the others got the relay's reply to the data
                queued.answered(((SMTPTransport) transport).getLastServerResponse());
            }
        };
        try {
            pool.send(sending);
        } catch (AuthenticationFailedException refused) {
            if (!credentials.renewsAfterRefusal()) {
                throw refused;
            }
            // a token the relay refused although it should still be valid (revoked, rotated keys):
            // one renewal, one retry on a fresh session; a second refusal is the configuration
            pool.send(sending);
        }
    }

    /**
     * Opens a session and closes it again: connect, greeting, EHLO, STARTTLS and AUTH as configured.
     * The circuit breaker's question "is the relay back?".
     */
    public void probe() throws MessagingException {
        settings.connect(session, credentials).close();
    }

    @Override
    public Session getSession() {
        return session;
    }

    @Override
    public Properties getJavaMailProperties() {
        return session.getProperties();
    }

    // The relay is configured with mailroute.smtp.* keys only, so that one place decides it.
    @Override
    public void setJavaMailProperties(Properties javaMailProperties) {
        throw new UnsupportedOperationException("configure the relay with mailroute.smtp.* keys");
    }

    @Override
    public void addAdditionalJavaMailProperty(String key, String value) {
        throw new UnsupportedOperationException("configure the relay with mailroute.smtp.* keys");
    }

    @Override
    public void setHost(String host) {
        throw new UnsupportedOperationException("configure the relay with mailroute.smtp.host");
    }

    @Override
    public String getHost() {
        return settings.host();
    }

    @Override
    public void setPort(int port) {
        throw new UnsupportedOperationException("configure the relay with mailroute.smtp.port");
    }

    @Override
    public int getPort() {
        return settings.port();
    }

    @Override
    public void setUsername(String username) {
        throw new UnsupportedOperationException("configure the relay with mailroute.smtp.username");
    }

    @Override
    public String getUsername() {
        return settings.username();
    }

    @Override
    public void setPassword(String password) {
        throw new UnsupportedOperationException("configure the relay with mailroute.smtp.password");
    }

    /** Never handed out: camel-mail does not ask for it (it only takes the session), and nothing else may. */
    @Override
    public String getPassword() {
        return null;
    }

    @Override
    public void setProtocol(String protocol) {
        throw new UnsupportedOperationException("configure the relay with mailroute.smtp.security");
    }

    @Override
    public String getProtocol() {
        return settings.protocol();
    }

    @Override
    public void setSession(Session session) {
        throw new UnsupportedOperationException("configure the relay with mailroute.smtp.* keys");
    }

    @Override
    public void setAuthenticator(MailAuthenticator authenticator) {
        throw new UnsupportedOperationException("configure the relay with mailroute.smtp.username/password");
    }

    @Override
    public MailAuthenticator getAuthenticator() {
        return null;
    }
}
