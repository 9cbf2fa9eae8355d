package dev.mailroute.delivery.smtp.oauth2;

import java.nio.file.Path;
import java.util.Locale;

import dev.mailroute.delivery.smtp.SmtpSettings;
import dev.mailroute.settings.Secret;
import dev.mailroute.settings.SettingsReader;
import dev.mailroute.settings.UrlCredentials;

/**
 * Where the relay's OAuth 2.0 access tokens come from ({@code mailroute.smtp.oauth2.*}), read
 * only when {@code mailroute.smtp.auth=oauth2}. Each provider's keys are checked here, so that a
 * start with a missing one stops naming it.
 *
 * @param mailbox the mailbox mail is sent as ({@code mailroute.smtp.username}): the XOAUTH2 user,
 *                and Google's delegated subject
 * @param tlsCa PEM certificates the token endpoint's certificate must chain to instead of the
 *              JVM's trust store (a private OAuth server), or null
 */
public record OAuth2Settings(Provider provider, String mailbox, String tenant, String clientId, Secret clientSecret,
                             Path certificate, Path privateKey, Path serviceAccountKey, String tokenUrl, String scope,
                             String authority, Path tlsCa, long timeoutMillis) {

    public enum Provider {
        /** Microsoft Entra ID, client credentials, through MSAL4J. */
        MICROSOFT("https://outlook.office365.com/.default"),
        /** A Google service account with domain-wide delegation. */
        GOOGLE("https://mail.google.com/"),
        /** Any RFC 6749 token endpoint, client credentials (section 4.4). */
        GENERIC(null);

        final String defaultScope;

        Provider(String defaultScope) {
            this.defaultScope = defaultScope;
        }

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The token settings when {@code mailroute.smtp.auth=oauth2}; null for a password or no AUTH. */
    public static OAuth2Settings forRelay(SettingsReader r) {
        return SmtpSettings.Auth.from(r) == SmtpSettings.Auth.OAUTH2 ? from(r) : null;
    }

    public static OAuth2Settings from(SettingsReader r) {
        return from(r, "mailroute.smtp.username");
    }

    /**
     * The token settings of {@code mailroute.smtp.oauth2.*} for the mailbox named by
     * {@code mailboxKey}: a named relay ({@code mailroute.relays.<name>.username}) uses the same
     * application's tokens to send as a mailbox of its own (Microsoft 365: one mailbox per login).
     */
    public static OAuth2Settings from(SettingsReader r, String mailboxKey) {
        return from(r, "mailroute.smtp.oauth2.", mailboxKey);
    }

    /**
     * The token settings under {@code prefix} ({@code mailroute.smtp.oauth2.}, or a named relay's own
     * {@code mailroute.relays.<name>.oauth2.}) for the mailbox named by {@code mailboxKey}; every
     * error names the key as written.
     */
    public static OAuth2Settings from(SettingsReader r, String p, String mailboxKey) {
        String name = r.oneOf(p + "provider", "microsoft", "google", "generic");
        Provider provider = Provider.valueOf(name.toUpperCase(Locale.ROOT));
        String mailbox = need(r, mailboxKey, p, provider, "the mailbox mail is sent as");
        Secret secret = r.secret(p + "clientSecret");
        String scope = r.optional(p + "scope");
        if (scope == null) {
            scope = provider.defaultScope;
        }
        Path certificate = null;
        Path privateKey = null;
        switch (provider) {
            case MICROSOFT -> {
                need(r, p + "tenant", p, provider, "the directory (tenant) id");
                need(r, p + "clientId", p, provider, "the application (client) id");
                boolean withCertificate = r.optional(p + "certificate") != null;
                if (withCertificate) {
                    need(r, p + "privateKey", p, provider, "the PEM private key of " + p + "certificate");
                    certificate = r.path(p + "certificate");
                    privateKey = r.path(p + "privateKey");
                } else if (secret == null) {
                    throw new IllegalArgumentException(p + "provider=microsoft needs a client"
                                                       + " credential: set " + SettingsReader.environmentName(p + "clientSecret")
                                                       + ", or " + p + "certificate and .privateKey (PEM"
                                                       + " files, the certificate uploaded to the app registration)");
                }
            }
            case GOOGLE -> need(r, p + "serviceAccountKey", p, provider,
                    "the service account's JSON key file");
            case GENERIC -> {
                need(r, p + "tokenUrl", p, provider, "the token endpoint");
                need(r, p + "clientId", p, provider, "the client id");
                need(r, p + "scope", p, provider, "the scope the relay expects");
                if (secret == null) {
                    throw new IllegalArgumentException(p + "provider=generic needs "
                                                       + SettingsReader.environmentName(p + "clientSecret")
                                                       + " (the client secret)");
                }
            }
            default -> throw new IllegalStateException(provider.name());
        }
        String tokenUrl = r.optional(p + "tokenUrl");
        if (tokenUrl != null && !tokenUrl.startsWith("https://")) {
            throw new IllegalArgumentException(p + "tokenUrl=" + UrlCredentials.mask(tokenUrl)
                                               + " is not an https://"
                                               + " address: the client secret would cross the network in plain text");
        }
        String authority = r.required(p + "authority");
        if (!authority.startsWith("https://")) {
            throw new IllegalArgumentException(p + "authority=" + UrlCredentials.mask(authority)
                                               + " is not an https:// address");
        }
        return new OAuth2Settings(provider, mailbox, r.optional(p + "tenant"),
                r.optional(p + "clientId"), secret, certificate, privateKey,
                provider == Provider.GOOGLE ? r.path(p + "serviceAccountKey") : null, tokenUrl,
                scope, authority.endsWith("/") ? authority : authority + "/",
                r.optional(p + "tls.ca") == null ? null : r.path(p + "tls.ca"),
                r.millis(p + "timeout"));
    }

    /** As a record prints itself, with the credentials a token URL or authority may carry masked (the start-up log). */
    @Override
    public String toString() {
        return "OAuth2Settings[provider=" + provider + ", mailbox=" + mailbox + ", tenant=" + tenant + ", clientId="
               + clientId + ", clientSecret=" + clientSecret + ", certificate=" + certificate + ", privateKey="
               + privateKey + ", serviceAccountKey=" + serviceAccountKey + ", tokenUrl=" + UrlCredentials.mask(tokenUrl)
               + ", scope=" + scope + ", authority=" + UrlCredentials.mask(authority) + ", tlsCa=" + tlsCa
               + ", timeoutMillis=" + timeoutMillis + "]";
    }

    private static String need(SettingsReader r, String key, String p, Provider provider, String what) {
        String value = r.optional(key);
        if (value == null) {
            throw new IllegalArgumentException(key + " is not set: " + p + "provider=" + provider.id()
                                               + " needs " + what);
        }
        return value;
    }
}
