package dev.mailroute.delivery.smtp.oauth2;

import dev.mailroute.observability.LogText;
import dev.mailroute.settings.UrlCredentials;

/**
 * No token. {@link #refused()}: the endpoint refused mailroute itself ({@code invalid_client},
 * {@code unauthorized_client}, a wrong tenant or scope) — a configuration failure that retrying
 * cannot fix. Otherwise the endpoint was down, slow or answered nonsense: transient. The message
 * names the endpoint and the provider's error, never a secret: credentials in a URL it quotes
 * are masked.
 */
public final class TokenException extends Exception {

    private final boolean refused;

    TokenException(String message, boolean refused, Throwable cause) {
        super(UrlCredentials.mask(message), cause);
        this.refused = refused;
    }

    public boolean refused() {
        return refused;
    }

    /** A provider's error text as one line of a log or a reply, without control characters. */
    static String oneLine(String text) {
        return LogText.oneLine(text);
    }
}
