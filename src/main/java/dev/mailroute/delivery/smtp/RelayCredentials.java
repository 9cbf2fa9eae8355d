package dev.mailroute.delivery.smtp;

import dev.mailroute.settings.Secret;
import dev.mailroute.settings.SettingsReader;
import jakarta.mail.MessagingException;

/**
 * What mailroute authenticates to the relay with ({@code mailroute.smtp.auth}): a password, or an
 * OAuth 2.0 access token for XOAUTH2 that is fetched, shared and renewed behind this interface.
 * The transport owns this interface and knows no implementation beyond {@link Password}: the token
 * providers below it ({@code oauth2.OAuth2Credentials}) implement it, and the wiring chooses one,
 * so that a new way to log in never changes the transport.
 */
public interface RelayCredentials {

    /** The secret AUTH sends after the user name: the password, or the current access token. */
    String secret() throws MessagingException;

    /** The relay refused this secret (535): it is not used again (a token is renewed). */
    void refused(String secret);

    /** Whether a session opened after a refusal authenticates with something new (a renewed token). */
    boolean renewsAfterRefusal();

    /** What to check when the relay keeps refusing mailroute: for the ERROR, health and doctor. */
    String fix();

    /**
     * {@code mailroute.smtp.auth=password}, or no AUTH at all.
     *
     * @param keyPrefix where the relay's keys are, for the fix: {@code mailroute.smtp.} or
     *     {@code mailroute.relays.<name>.}
     */
    record Password(Secret password, String keyPrefix) implements RelayCredentials {

        public Password(Secret password) {
            this(password, "mailroute.smtp.");
        }

        @Override
        public String secret() {
            return password == null ? null : password.reveal();
        }

        @Override
        public void refused(String secret) {
            // the same password again would be refused again
        }

        @Override
        public boolean renewsAfterRefusal() {
            return false;
        }

        @Override
        public String fix() {
            return "check " + keyPrefix + "username, " + SettingsReader.environmentName(keyPrefix + "password") + " and "
                   + keyPrefix + "security";
        }
    }
}
