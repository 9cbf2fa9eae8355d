package dev.mailroute.delivery.smtp;

import java.util.Locale;
import java.util.Properties;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import dev.mailroute.settings.Secret;
import dev.mailroute.settings.SettingsReader;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/** Where and how to reach the SMTP relay ({@code mailroute.smtp.*}). */
public record SmtpSettings(String host, int port, String username, Secret password, Security security,
                           long timeoutMillis, String trust) {

    public static SmtpSettings from(SettingsReader r) {
        return new SmtpSettings(r.required("mailroute.smtp.host"), r.port("mailroute.smtp.port"),
                r.optional("mailroute.smtp.username"), r.secret("mailroute.smtp.password"),
                Security.parse(r.required("mailroute.smtp.security")), r.millis("mailroute.smtp.timeout"),
                r.optional("mailroute.smtp.tls.trust"));
    }

    public enum Security {
        /** Plain text, never upgraded. */
        NONE,
        /** STARTTLS when the relay offers it, plain text otherwise. */
        STARTTLS,
        /** STARTTLS or fail: never send credentials or mail in plain text. */
        STARTTLS_REQUIRED,
        /** Implicit TLS from the first byte (SMTPS, usually port 465). */
        TLS;

        public static Security parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("mailroute.smtp.security=" + text
                                                   + " is not one of none, starttls, starttls-required, tls");
            }
        }
    }

    public String protocol() {
        return security == Security.TLS ? "smtps" : "smtp";
    }

    public boolean authenticates() {
        return username != null;
    }

    /**
     * A session with this relay, opened in a Jakarta Mail session made from
     * {@link #sessionProperties()}: connected, greeted, STARTTLS and AUTH done as configured.
     */
    public SMTPTransport connect(Session session) throws MessagingException {
        SMTPTransport transport = (SMTPTransport) session.getTransport(protocol());
        transport.connect(host, port, username, password == null ? null : password.reveal());
        return transport;
    }

    /** Jakarta Mail session properties for this relay. */
    public Properties sessionProperties() {
        String p = "mail." + protocol() + ".";
        Properties props = new Properties();
        props.setProperty(p + "host", host);
        props.setProperty(p + "port", Integer.toString(port));
        // connect, read and write: without a write timeout a relay that stops reading hangs the thread
        props.setProperty(p + "connectiontimeout", Long.toString(timeoutMillis));
        props.setProperty(p + "timeout", Long.toString(timeoutMillis));
        props.setProperty(p + "writetimeout", Long.toString(timeoutMillis));
        props.setProperty(p + "auth", Boolean.toString(authenticates()));
        // deliver to the recipients the relay accepts and report the refused ones, so that an
        // accepted recipient never gets the message twice
        props.setProperty(p + "sendpartial", "true");
        if (security == Security.STARTTLS || security == Security.STARTTLS_REQUIRED) {
            props.setProperty(p + "starttls.enable", "true");
        }
        if (security == Security.STARTTLS_REQUIRED) {
            props.setProperty(p + "starttls.required", "true");
        }
        if (trust != null) {
            props.setProperty(p + "ssl.trust", trust);
        }
        if (security != Security.NONE) {
            // "*" trusts any certificate for any name (test relays); otherwise the name must match
            props.setProperty(p + "ssl.checkserveridentity", Boolean.toString(!"*".equals(trust)));
            // nothing older than TLS 1.2 (RFC 8996 deprecates 1.0 and 1.1)
            props.setProperty(p + "ssl.protocols", "TLSv1.3 TLSv1.2");
        }
        props.put(p + "socketFactory", new NoDelaySocketFactory());
        return props;
    }
}
