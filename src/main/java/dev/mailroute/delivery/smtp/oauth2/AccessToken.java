package dev.mailroute.delivery.smtp.oauth2;

import java.time.Duration;
import java.time.Instant;

import dev.mailroute.settings.Secret;

/**
 * An access token as the provider issued it. The value is a {@link Secret}: it prints as
 * {@code ****} and is revealed only to go into the XOAUTH2 string.
 *
 * @param scopes what the provider says the token grants, or null when it does not say
 */
public record AccessToken(Secret value, Instant issuedAt, Instant expiresAt, String scopes) {

    /** Lifetime assumed when the provider gives none (an RFC 6749 answer may omit expires_in). */
    static final Duration ASSUMED_LIFETIME = Duration.ofMinutes(5);

    /** Usable for a new session: not expired, with a margin for clock skew and the AUTH round trip. */
    boolean usableAt(Instant now) {
        return now.isBefore(expiresAt.minusSeconds(2));
    }

    /** Three quarters of its lifetime are gone: time to get the next one, while this one still works. */
    boolean dueForRenewalAt(Instant now) {
        Duration lifetime = Duration.between(issuedAt, expiresAt);
        return !now.isBefore(issuedAt.plus(lifetime.multipliedBy(3).dividedBy(4)));
    }
}
