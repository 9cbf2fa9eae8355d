package dev.mailroute.delivery.smtp.oauth2;

import java.io.IOException;

import dev.mailroute.delivery.smtp.RelayCredentials;
import dev.mailroute.settings.UrlCredentials;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;

/**
 * XOAUTH2: the shared access token in place of a password. A token endpoint that refuses
 * mailroute is reported as an authentication failure (a configuration problem: messages stay
 * queued); one that is down or slow as a connection problem (retried with backoff).
 */
public final class OAuth2Credentials implements RelayCredentials {

    private final SharedToken token;
    private final OAuth2Settings settings;

    public OAuth2Credentials(SharedToken token, OAuth2Settings settings) {
        this.token = token;
        this.settings = settings;
    }

    /** Credentials whose tokens come from the configured provider (a bad key file is refused here). */
    public static OAuth2Credentials of(OAuth2Settings settings) {
        return new OAuth2Credentials(SharedToken.of(settings), settings);
    }

    @Override
    public String secret() throws MessagingException {
        try {
            return token.get().value().reveal();
        } catch (TokenException e) {
            if (e.refused()) {
                throw new AuthenticationFailedException(e.getMessage());
            }
            // an I/O cause: FailureClassifier reads it as a connection problem, retried with backoff
            throw new MessagingException(e.getMessage(), new IOException(e.getMessage()));
        }
    }

    @Override
    public void refused(String secret) {
        token.refused(secret);
    }

    @Override
    public boolean renewsAfterRefusal() {
        return true;
    }

    public SharedToken token() {
        return token;
    }

    @Override
    public String fix() {
        return switch (settings.provider()) {
            case MICROSOFT -> "check that the app registration " + settings.clientId() + " has the Office 365"
                              + " Exchange Online application permission SMTP.SendAsApp with admin consent, that its"
                              + " service principal was given access to the mailbox " + settings.mailbox()
                              + " (Add-MailboxPermission), and that SMTP AUTH is enabled for that mailbox"
                              + " (Set-CASMailbox -SmtpClientAuthenticationDisabled $false); when the token endpoint"
                              + " refused the client, check mailroute.smtp.oauth2.tenant, clientId and the secret or"
                              + " certificate";
            case GOOGLE -> "check that the service account's client id has domain-wide delegation for the scope "
                           + settings.scope() + " in the Google Workspace admin console, and that "
                           + settings.mailbox() + " is a mailbox of that domain";
            case GENERIC -> "check that the token from " + UrlCredentials.mask(settings.tokenUrl()) + " (scope " + settings.scope()
                            + ") is one the relay accepts for " + settings.mailbox()
                            + ", and mailroute.smtp.oauth2.clientId / MAILROUTE_SMTP_OAUTH2_CLIENTSECRET";
        };
    }
}
