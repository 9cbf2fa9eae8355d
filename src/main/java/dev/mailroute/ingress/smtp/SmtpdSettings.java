package dev.mailroute.ingress.smtp;

import java.nio.file.Path;

import dev.mailroute.settings.SettingsReader;

/**
 * The SMTP listener ({@code mailroute.smtpd.*}): where it listens, whom it talks to, who may log
 * in, TLS, and its limits.
 *
 * @param allowedClientsSet whether the operator set mailroute.smtpd.allowedClients (or left the loopback default)
 * @param users the users file ({@code user:{bcrypt}...[:sender patterns]}), or null for no AUTH
 * @param hostname what the greeting and the Received: header call this host, or null for the system's name
 * @param authMaxFailures failed AUTH attempts after which a session is closed
 */
public record SmtpdSettings(boolean enabled, String host, int port, String hostname, ClientNetworks allowedClients,
                            boolean allowedClientsSet, Path users, boolean requireAuth, Path tlsCert, Path tlsKey,
                            boolean tlsRequired, int maxRecipients, int maxConnections, long timeoutMillis,
                            int authMaxFailures) {

    static final String DEFAULT_CLIENTS = "127.0.0.0/8, ::1";

    public static SmtpdSettings from(SettingsReader r) {
        String cert = r.optional("mailroute.smtpd.tls.cert");
        String key = r.optional("mailroute.smtpd.tls.key");
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException((cert == null ? "mailroute.smtpd.tls.key" : "mailroute.smtpd.tls.cert")
                                               + " is set without " + (cert == null ? "mailroute.smtpd.tls.cert"
                    : "mailroute.smtpd.tls.key") + ": STARTTLS needs both the certificate and its private key (PEM files)");
        }
        boolean tlsRequired = r.bool("mailroute.smtpd.tls.required");
        if (tlsRequired && cert == null) {
            throw new IllegalArgumentException("mailroute.smtpd.tls.required=true needs mailroute.smtpd.tls.cert and"
                                               + " mailroute.smtpd.tls.key (PEM files)");
        }
        String users = r.optional("mailroute.smtpd.users");
        boolean requireAuth = r.bool("mailroute.smtpd.requireAuth");
        if (requireAuth && users == null) {
            throw new IllegalArgumentException("mailroute.smtpd.requireAuth=true needs mailroute.smtpd.users, a file"
                                               + " of user:hash lines (java -jar mailroute.jar hash-password makes"
                                               + " the hash)");
        }
        String clients = r.optional("mailroute.smtpd.allowedClients");
        return new SmtpdSettings(r.bool("mailroute.smtpd.enabled"), r.required("mailroute.smtpd.host"),
                r.port("mailroute.smtpd.port"), r.optional("mailroute.smtpd.hostname"),
                ClientNetworks.parse("mailroute.smtpd.allowedClients", clients == null ? java.util.List.of()
                        : r.list("mailroute.smtpd.allowedClients")),
                clients != null && !normalized(clients).equals(normalized(DEFAULT_CLIENTS)),
                users == null ? null : r.path("mailroute.smtpd.users"), requireAuth,
                cert == null ? null : r.path("mailroute.smtpd.tls.cert"),
                key == null ? null : r.path("mailroute.smtpd.tls.key"), tlsRequired,
                r.atLeast("mailroute.smtpd.maxRecipients", 1), r.atLeast("mailroute.smtpd.maxConnections", 1),
                r.millis("mailroute.smtpd.timeout"), r.atLeast("mailroute.smtpd.auth.maxFailures", 1));
    }

    private static String normalized(String list) {
        return list.replaceAll("\\s+", "");
    }

    public boolean tls() {
        return tlsCert != null;
    }
}
