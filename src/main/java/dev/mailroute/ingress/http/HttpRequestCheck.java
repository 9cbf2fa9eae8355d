package dev.mailroute.ingress.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;

import dev.mailroute.accept.SenderPolicy;
import dev.mailroute.message.Handover;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * What the HTTP API checks about a request. {@link #beforeBody} runs in the HTTP server on the
 * request line and headers alone — the API key and the declared length — so that a request without
 * a valid key, or one announcing more than {@code mailroute.message.maxBytes}, is answered before a
 * byte of its body is read. The route steps ({@link #message}, {@link #batch}) check the content
 * type, and the key again (any route an operator adds gets the same check), and hand the key's own
 * sender patterns to accept. The size of what is read is {@code BoundedBody}'s to check, for every
 * ingress alike.
 */
public final class HttpRequestCheck {

    private final List<Key> apiKeys;
    private final long maxBytes;
    private final boolean observeRequiresKey;

    /** One accepted key, as bytes for a constant-time comparison. */
    private record Key(byte[] bytes, List<String> senders) {
    }

    /**
     * @param apiKeys accepted bearer keys; none means the API is open (allowed only on loopback, or
     *                with {@code mailroute.security.allowUnauthenticated})
     */
    public HttpRequestCheck(List<ApiKey> apiKeys, long maxBytes, boolean observeRequiresKey) {
        this.apiKeys = apiKeys.stream().map(k -> new Key(k.key().reveal().getBytes(StandardCharsets.UTF_8), k.senders()))
                .toList();
        this.maxBytes = maxBytes;
        this.observeRequiresKey = observeRequiresKey;
    }

    /**
     * The refusal of a request that must not be read further, or null.
     *
     * @param path the request path
     * @param authorization the Authorization header, or null
     * @param contentLength the Content-Length header, or null
     */
    public HttpProblemException beforeBody(String path, String authorization, String contentLength) {
        boolean api = path.startsWith("/api/") && !path.equals("/api/v1/openapi.json");
        boolean observe = path.equals("/observe/metrics") || path.equals("/api/v1/openapi.json");
        if (!api && !(observe && observeRequiresKey)) {
            return null; // health answers probes without a key
        }
        HttpProblemException unauthorized = authorize(authorization).problem();
        if (unauthorized != null) {
            return unauthorized;
        }
        if (contentLength != null) {
            long declared;
            try {
                declared = Long.parseLong(contentLength.trim());
            } catch (NumberFormatException e) {
                return new HttpProblemException(400, HttpAnswers.TYPE_INVALID, "Invalid request",
                        "Content-Length '" + contentLength + "' is not a number");
            }
            if (declared > maxBytes) {
                return new HttpProblemException(413, HttpAnswers.TYPE_TOO_LARGE, "Request too large",
                        "too large: the request is " + declared + " bytes, the limit is " + maxBytes
                        + " bytes (mailroute.message.maxBytes)");
            }
        }
        return null;
    }

    /** POST /api/v1/messages: JSON or message/rfc822. */
    public void message(Exchange exchange) throws HttpProblemException {
        Message in = exchange.getMessage();
        authorizeRoute(exchange);
        String mediaType = mediaType(in);
        switch (mediaType) {
            case "application/json" -> exchange.setProperty(Handover.FORMAT, "json");
            case "message/rfc822" -> exchange.setProperty(Handover.FORMAT, "rfc822");
            default -> throw unsupported(mediaType, "application/json or message/rfc822");
        }
        exchange.setProperty(Handover.CLIENT_KEY, in.getHeader("Idempotency-Key", String.class));
    }

    /** POST /api/v1/messages/batch: a JSON array. Each item's own "id" is its idempotency key. */
    public void batch(Exchange exchange) throws HttpProblemException {
        json(exchange, "an array of mail requests");
    }

    /** POST /api/v1/messages/merge: a JSON merge request; Idempotency-Key (or its "id") covers the whole request. */
    public void merge(Exchange exchange) throws HttpProblemException {
        json(exchange, "a merge request");
        exchange.setProperty(Handover.CLIENT_KEY, exchange.getMessage().getHeader("Idempotency-Key", String.class));
    }

    /** GET /observe/metrics and /api/v1/openapi.json: a key when mailroute.observe.requireKey is true. */
    public void observe(Exchange exchange) throws HttpProblemException {
        if (observeRequiresKey) {
            authorized(exchange);
        }
    }

    /** A route that takes only JSON: the key, then the Content-Type ({@code what} names what to send). */
    private void json(Exchange exchange, String what) throws HttpProblemException {
        authorizeRoute(exchange);
        String mediaType = mediaType(exchange.getMessage());
        if (!mediaType.equals("application/json")) {
            throw unsupported(mediaType, "application/json (" + what + ")");
        }
        exchange.setProperty(Handover.FORMAT, "json");
    }

    private void authorizeRoute(Exchange exchange) throws HttpProblemException {
        Authorized authorized = authorized(exchange);
        if (!authorized.senders().isEmpty()) {
            exchange.setProperty(SenderPolicy.REQUEST_PATTERNS, authorized.senders());
        }
    }

    /** The key of the request's Authorization header, or its refusal thrown. */
    private Authorized authorized(Exchange exchange) throws HttpProblemException {
        Authorized authorized = authorize(exchange.getMessage().getHeader("Authorization", String.class));
        if (authorized.problem() != null) {
            throw authorized.problem();
        }
        return authorized;
    }

    /** Either the key's sender patterns, or the refusal. */
    private record Authorized(List<String> senders, HttpProblemException problem) {
    }

    private Authorized authorize(String authorization) {
        if (apiKeys.isEmpty()) {
            return new Authorized(List.of(), null);
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return new Authorized(List.of(),
                    unauthorized("send the header Authorization: Bearer <key> with one of mailroute.api.keys"));
        }
        byte[] given = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        Key found = null;
        for (Key key : apiKeys) {
            // constant time per key, and every key is compared: the answer time says nothing about the key
            if (MessageDigest.isEqual(key.bytes(), given)) {
                found = key;
            }
        }
        if (found == null) {
            return new Authorized(List.of(), unauthorized("the bearer key is not one of mailroute.api.keys"));
        }
        return new Authorized(found.senders(), null);
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
