package dev.mailroute.delivery.smtp.oauth2;

/** Fetches a new access token from the provider, every time it is asked (caching is {@link SharedToken}'s). */
interface TokenProvider {

    AccessToken fetch() throws TokenException;

    /** Where tokens come from, for logs and doctor. */
    String endpoint();
}
