package dev.mailroute.ingress.smtp;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import dev.mailroute.accept.SenderPolicy;
import dev.mailroute.message.InFlightBytes;
import dev.mailroute.observability.MailEvents;
import dev.mailroute.settings.StartupCheckException;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code smtpd:} — an SMTP server as a Camel consumer, so that the SMTP listener is a route like
 * the other ingresses ({@code routes/ingress-smtp.yaml}). Camel has no SMTP server component; this
 * one is a small shell around SubEthaSMTP, configured from {@code mailroute.smtpd.*}.
 */
public final class SmtpdComponent extends DefaultComponent {

    private final SmtpdSettings settings;
    private final long maxBytes;
    private final InFlightBytes inFlight;
    private final SenderPolicy senderPolicy;
    private final MailEvents events;
    private final SmtpUsers users;
    private final SSLContext tls;

    /**
     * Reads the users file and the certificate now, while wiring, so that a start that could not
     * use them stops before anything listens.
     *
     * A listener the start-up checks would refuse ({@link ListenerExposure}) is refused here too,
     * so that no way of wiring it listens unchecked.
     *
     * @param sendersAllowed mailroute.senders.allowed, checked at MAIL FROM (and again, with the headers, in accept)
     * @param allowUnauthenticated mailroute.security.allowUnauthenticated: a firewall guards an exposed listener
     * @throws StartupCheckException naming the file that cannot be used, or the setting that exposes the listener
     */
    public SmtpdComponent(SmtpdSettings settings, long maxBytes, InFlightBytes inFlight, List<String> sendersAllowed,
                          MailEvents events, boolean allowUnauthenticated) {
        this.settings = settings;
        this.maxBytes = maxBytes;
        this.inFlight = inFlight;
        this.senderPolicy = new SenderPolicy(sendersAllowed);
        this.events = events;
        boolean enabled = settings.enabled();
        ListenerExposure.of(settings).filter(problem -> !problem.optOut() || !allowUnauthenticated)
                .ifPresent(problem -> {
                    throw new StartupCheckException(problem.refusal());
                });
        try {
            this.users = enabled && settings.users() != null ? SmtpUsers.load(settings.users()) : null;
            this.tls = enabled && settings.tls() ? ListenerTls.context(settings.tlsCert(), settings.tlsKey()) : null;
        } catch (IllegalArgumentException e) {
            throw new StartupCheckException(e.getMessage());
        } catch (IOException e) {
            throw new StartupCheckException("mailroute.smtpd.users=" + settings.users() + ": cannot be read (" + e
                                            + "). Fix: make it readable by the user mailroute runs as");
        }
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        return new SmtpdEndpoint(uri, this);
    }

    SmtpdSettings settings() {
        return settings;
    }

    long maxBytes() {
        return maxBytes;
    }

    InFlightBytes inFlight() {
        return inFlight;
    }

    SenderPolicy senderPolicy() {
        return senderPolicy;
    }

    MailEvents events() {
        return events;
    }

    /** The users file, or null when there is no AUTH. */
    SmtpUsers users() {
        return users;
    }

    /** STARTTLS's keys, or null when there is no STARTTLS. */
    SSLContext tls() {
        return tls;
    }
}
