package dev.mailroute.settings;

import java.util.regex.Pattern;

/**
 * Credentials a configured URL may carry — a {@code user:password@} part, or parameters such as
 * {@code ?user=..&password=..} (an Artemis broker URL) or {@code client_secret=..} — masked as
 * {@code ****} for whatever prints the URL: the start-up log, {@code doctor}, health answers, an
 * error message. Also applied to messages that may quote such a URL.
 */
public final class UrlCredentials {

    /** A user:password@ (or user@) part after the scheme; no whitespace, so that prose around a URL is left alone. */
    private static final Pattern USER_INFO = Pattern.compile("://[^/@?;&#\\s]*@");

    /**
     * URL parameters that carry credentials: their values (a colon too: a password may hold one).
     * A value already masked is left alone, so that masking a message that quotes a masked URL
     * followed by ": " keeps the colon.
     */
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "(?i)((?:^|[?&;])(?:user|username|[a-z_]*password|[a-z_]*secret|[a-z_]*token|api_?key|key))="
            + "(?!\\*{4}(?:[&;#]|:?(?:\\s|$)))([^&;#\\s]*)");

    private UrlCredentials() {
    }

    /** The text with every URL credential replaced by {@code ****}; null stays null. */
    public static String mask(String text) {
        if (text == null) {
            return null;
        }
        String withoutUserInfo = USER_INFO.matcher(text).replaceAll("://" + Secret.MASK + "@");
        return SECRET_PARAMETER.matcher(withoutUserInfo).replaceAll("$1=" + Secret.MASK);
    }

    /** Whether the URL carries credentials (they belong in settings of their own, which are secrets). */
    public static boolean present(String url) {
        return url != null && !mask(url).equals(url);
    }
}
