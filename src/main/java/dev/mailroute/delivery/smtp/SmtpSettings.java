package dev.mailroute.delivery.smtp;

import java.util.Locale;
import java.util.Properties;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import dev.mailroute.settings.Secret;
import dev.mailroute.settings.SettingsReader;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Where and how to reach the SMTP relay ({@code mailroute.smtp.*}). Where OAuth 2.0 tokens come
 * from ({@code mailroute.smtp.oauth2.*}) is not the transport's business: the token providers
 * read it themselves and implement {@link RelayCredentials}.
 */
public record SmtpSettings(String host, int port, String username, Secret password, Security security,
                           long timeoutMillis, String trust, Auth auth) {

    public static SmtpSettings from(SettingsReader r) {
        // read only for OAuth 2.0, but declared a secret whatever the mode, so that it is masked everywhere
        r.secret("mailroute.smtp.oauth2.clientSecret");
        return from(r, "mailroute.smtp.");
    }

    /**
     * The relay set up by the keys under {@code prefix}: {@code mailroute.smtp.} for the relay named
     * default, {@code mailroute.relays.<name>.} for a named one; every error names the key as written.
     */
    public static SmtpSettings from(SettingsReader r, String prefix) {
        String username = r.optional(prefix + "username");
        Secret password = r.secret(prefix + "password");
        Auth auth = Auth.from(r, prefix);
        if (auth == Auth.PASSWORD && username == null) {
            throw new IllegalArgumentException(prefix + "auth=password needs " + prefix + "username (and "
                                               + SettingsReader.environmentName(prefix + "password") + ")");
        }
        Security security = Security.parse(prefix + "security", r.required(prefix + "security"));
        if (auth == Auth.OAUTH2 && security != Security.STARTTLS_REQUIRED && security != Security.TLS) {
            throw new IllegalArgumentException(prefix + "auth=oauth2 needs " + prefix + "security="
                                               + "starttls-required or tls: an access token is as good as a password"
                                               + " to whoever reads it on the way (now " + security.name()
                                               .toLowerCase(Locale.ROOT).replace('_', '-') + ")");
        }
        return new SmtpSettings(r.required(prefix + "host"), r.port(prefix + "port"), username, password,
                security, r.millis(prefix + "timeout"),
                r.optional(prefix + "tls.trust"), auth);
    }

    /** How mailroute authenticates to the relay ({@code mailroute.smtp.auth}). */
    public enum Auth {
        /** No AUTH: no user name is set. */
        NONE,
        /** AUTH LOGIN/PLAIN with mailroute.smtp.username and MAILROUTE_SMTP_PASSWORD. */
        PASSWORD,
        /** AUTH XOAUTH2 with an access token for the mailbox mailroute.smtp.username. */
        OAUTH2;

        /** {@code mailroute.smtp.auth}, or what the presence of a user name implies when it is not set. */
        public static Auth from(SettingsReader r) {
            return from(r, "mailroute.smtp.");
        }

        /** {@code <prefix>auth}, or what the presence of {@code <prefix>username} implies when it is not set. */
        public static Auth from(SettingsReader r, String prefix) {
            if (r.optional(prefix + "auth") == null) {
                return r.optional(prefix + "username") == null ? NONE : PASSWORD;
            }
            return valueOf(r.oneOf(prefix + "auth", "password", "oauth2").toUpperCase(Locale.ROOT));
        }
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
            return parse("mailroute.smtp.security", text);
        }

        public static Security parse(String key, String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + "=" + text
                                                   + " is not one of none, starttls, starttls-required, tls");
            }
        }
    }

    public String protocol() {
        return security == Security.TLS ? "smtps" : "smtp";
    }

    public boolean authenticates() {
        return auth != Auth.NONE;
    }

    /**
     * A session with this relay, opened in a Jakarta Mail session made from
     * {@link #sessionProperties()}: connected, greeted, STARTTLS and AUTH done as configured. A
     * refused AUTH is reported to the credentials, so that a refused token is not used again.
     */
    public SMTPTransport connect(Session session, RelayCredentials credentials) throws MessagingException {
        String secret = authenticates() ? credentials.secret() : null;
        SMTPTransport transport = (SMTPTransport) session.getTransport(protocol());
        try {
            transport.connect(host, port, username, secret);
        } catch (AuthenticationFailedException e) {
            credentials.refused(secret);
            throw e;
        }
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
        if (auth == Auth.OAUTH2) {
            // the access token where the password would go: user=<mailbox>^Aauth=Bearer <token>^A^A
            props.setProperty(p + "auth.mechanisms", "XOAUTH2");
        }
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
