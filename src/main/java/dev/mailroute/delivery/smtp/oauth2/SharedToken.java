package dev.mailroute.delivery.smtp.oauth2;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one access token every pooled SMTP session authenticates with. Fetched when first needed,
 * renewed once three quarters of its lifetime are gone — by one thread, while the others go on
 * with the current token — and at once when the relay refused it. Only when there is no usable
 * token do callers wait, for one fetch between them.
 */
public final class SharedToken {

    private static final Logger LOG = LoggerFactory.getLogger(SharedToken.class);

    /** After a failed early renewal, the current token is used this long before the next try. */
    private static final Duration RENEWAL_BACKOFF = Duration.ofSeconds(10);

    private final TokenProvider provider;
    private final Clock clock;
    private final ReentrantLock fetching = new ReentrantLock();
    private final AtomicLong fetches = new AtomicLong();
    private volatile AccessToken current;
    private volatile AccessToken refused;
    private volatile Instant nextRenewalTry = Instant.MIN;

    SharedToken(TokenProvider provider, Clock clock) {
        this.provider = provider;
        this.clock = clock;
    }

    public static SharedToken of(OAuth2Settings settings) {
        TokenProvider provider = switch (settings.provider()) {
            case MICROSOFT -> new MicrosoftTokens(settings);
            case GOOGLE -> new GoogleTokens(settings);
            case GENERIC -> new ClientCredentialsTokens(settings);
        };
        return new SharedToken(provider, Clock.systemUTC());
    }

    /** A token to authenticate a new session with. */
    public AccessToken get() throws TokenException {
        Instant now = clock.instant();
        AccessToken token = current;
        if (usable(token, now)) {
            if (token.dueForRenewalAt(now) && now.isAfter(nextRenewalTry) && fetching.tryLock()) {
                try {
                    if (current == token) {
                        renew("renewed ahead of expiry");
                    }
                } catch (TokenException e) {
                    nextRenewalTry = now.plus(RENEWAL_BACKOFF);
                    LOG.warn("could not renew the OAuth 2.0 token ahead of expiry (the current one is valid until"
                             + " {}): {}", token.expiresAt(), e.getMessage());
                } finally {
                    fetching.unlock();
                }
                return current;
            }
            return token;
        }
        fetching.lock();
        try {
            token = current;
            if (usable(token, clock.instant())) {
                return token; // another thread fetched it while this one waited
            }
            return renew(token == null ? "first token" : token == refused ? "the relay refused the last one"
                    : "the last one expired");
        } finally {
            fetching.unlock();
        }
    }

    /**
     * The relay answered 535 for a session authenticated with this token: the next {@link #get}
     * fetches a new one — once, however many sessions were refused with it; a token that was
     * renewed meanwhile is left alone.
     */
    public void refused(String value) {
        AccessToken token = current;
        if (token != null && token.value().reveal().equals(value)) {
            refused = token;
        }
    }

    /** Fetches so far (for tests and doctor). */
    public long fetches() {
        return fetches.get();
    }

    public String endpoint() {
        return provider.endpoint();
    }

    private boolean usable(AccessToken token, Instant now) {
        return token != null && token != refused && token.usableAt(now);
    }

    private AccessToken renew(String why) throws TokenException {
        fetches.incrementAndGet();
        AccessToken token = provider.fetch();
        current = token;
        nextRenewalTry = Instant.MIN;
        LOG.info("OAuth 2.0 token from {} ({}): valid until {}{}", provider.endpoint(), why, token.expiresAt(),
                token.scopes() == null ? "" : ", scopes " + token.scopes());
        return token;
    }
}
