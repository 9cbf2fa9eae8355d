package dev.mailroute.ingress.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;

import dev.mailroute.message.MessageHeaders;
import dev.mailroute.settings.Secret;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * What the HTTP routes check before a body is read: the API key and the content type. Each
 * refusal is an {@link HttpProblemException} with its status. (The size is {@code BoundedBody}'s
 * to check, for every ingress alike.)
 */
public final class HttpRequestCheck {

    private final List<byte[]> apiKeys;

    /** @param apiKeys accepted bearer keys; none means the API is open (bind it to a trusted interface) */
    public HttpRequestCheck(List<Secret> apiKeys) {
        this.apiKeys = apiKeys.stream().map(k -> k.reveal().getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** POST /api/v1/messages: JSON or message/rfc822. */
    public void message(Exchange exchange) throws HttpProblemException {
        Message in = exchange.getMessage();
        authorize(in);
        String mediaType = mediaType(in);
        switch (mediaType) {
            case "application/json" -> in.setHeader(MessageHeaders.FORMAT, "json");
            case "message/rfc822" -> in.setHeader(MessageHeaders.FORMAT, "rfc822");
            default -> throw unsupported(mediaType, "application/json or message/rfc822");
        }
        in.setHeader(MessageHeaders.CLIENT_ID, in.getHeader("Idempotency-Key", String.class));
    }

    /** POST /api/v1/messages/batch: a JSON array. Each item's own "id" is its idempotency key. */
    public void batch(Exchange exchange) throws HttpProblemException {
        Message in = exchange.getMessage();
        authorize(in);
        String mediaType = mediaType(in);
        if (!mediaType.equals("application/json")) {
            throw unsupported(mediaType, "application/json (an array of mail requests)");
        }
        in.setHeader(MessageHeaders.FORMAT, "json");
        in.removeHeader(MessageHeaders.CLIENT_ID);
    }

    private void authorize(Message in) throws HttpProblemException {
        if (apiKeys.isEmpty()) {
            return;
        }
        String authorization = in.getHeader("Authorization", String.class);
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthorized("send the header Authorization: Bearer <key> with one of mailroute.api.keys");
        }
        byte[] given = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        boolean known = false;
        for (byte[] key : apiKeys) {
            // constant time per key, and every key is compared: the answer time says nothing about the key
            known |= MessageDigest.isEqual(key, given);
        }
        if (!known) {
            throw unauthorized("the bearer key is not one of mailroute.api.keys");
        }
    }

    private static String mediaType(Message in) {
        String contentType = in.getHeader(Exchange.CONTENT_TYPE, String.class);
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    private static HttpProblemException unsupported(String mediaType, String expected) {
        return new HttpProblemException(415, HttpAnswers.TYPE_UNSUPPORTED, "Unsupported media type",
                (mediaType.isEmpty() ? "no Content-Type" : "Content-Type " + mediaType)
                + " is not accepted here; send " + expected);
    }

    private static HttpProblemException unauthorized(String detail) {
        return new HttpProblemException(401, HttpAnswers.TYPE_UNAUTHORIZED, "Unauthorized", detail);
    }
}
