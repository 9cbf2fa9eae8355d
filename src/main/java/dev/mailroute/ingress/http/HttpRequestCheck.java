package dev.mailroute.ingress.http;

import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.mailroute.accept.SenderPolicy;
import dev.mailroute.message.Handover;
import io.vertx.core.net.SocketAddress;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;

/**
 * What the HTTP API checks about a request. {@link #beforeBody} runs in the HTTP server on the
 * request line and headers alone — the API key and the declared length — so that a request without
 * a valid key, or one announcing more than {@code mailroute.message.maxBytes}, is answered before a
 * byte of its body is read. The route steps ({@link #message}, {@link #batch}) check the content
 * type, and the key again (any route an operator adds gets the same check), and hand the key's own
 * sender patterns to accept. The size of what is read is {@code BoundedBody}'s to check, for every
 * ingress alike.
 *
 * <p>Two kinds of key: submit keys ({@code mailroute.api.keys}) send mail and read back the messages
 * they sent; admin keys ({@code mailroute.admin.keys}) read every message and send none. Only an
 * admin key operates the queue ({@code /api/v1/admin/}, checked before the body is read); a submit
 * key there is a 403 ({@code urn:mailroute:problem:admin-only}). Reading
 * (every {@code GET} of {@code /api/}, but the OpenAPI document) always needs a key, even where
 * sending is open on loopback: the ledger shows who mailed whom. A key is compared by its SHA-256
 * against every key's, so that neither the answer's time nor its length says anything about a key.
 */
public final class HttpRequestCheck {

    /** Exchange property: the name of the admin key an operator's request ({@code /api/v1/admin/}) came with. */
    public static final String OPERATOR = "mailroute.operator";
    static final String ADMIN_PATH = "/api/v1/admin/";

    /** Exchange property: the {@link Reader} a GET of the ledger was authorized as. */
    public static final String READER = "mailroute.reader";

    private final List<Key> keys;
    private final boolean submitNeedsKey;
    private final long maxBytes;
    private final boolean observeRequiresKey;

    /** One accepted key, as its digest for a constant-time comparison. */
    private record Key(String name, byte[] digest, List<String> senders, boolean admin) {
    }

    /** Who reads the ledger: an admin key reads every message, a submit key those it sent. */
    public record Reader(String keyName, boolean admin) {
    }

    /**
     * @param apiKeys accepted bearer keys for sending; none means sending is open (allowed only on
     *                loopback, or with {@code mailroute.security.allowUnauthenticated})
     * @param adminKeys bearer keys that read every message's story
     */
    public HttpRequestCheck(List<ApiKey> apiKeys, List<ApiKey> adminKeys, long maxBytes, boolean observeRequiresKey) {
        List<Key> all = new ArrayList<>();
        apiKeys.forEach(k -> all.add(new Key(k.name(), ApiKey.sha256(k.key().reveal()), k.senders(), false)));
        adminKeys.forEach(k -> all.add(new Key(k.name(), ApiKey.sha256(k.key().reveal()), List.of(), true)));
        this.keys = List.copyOf(all);
        this.submitNeedsKey = !apiKeys.isEmpty();
        this.maxBytes = maxBytes;
        this.observeRequiresKey = observeRequiresKey;
    }

    /**
     * The refusal of a request that must not be read further, or null.
     *
     * @param method the request method
     * @param path the request path
     * @param authorization the Authorization header, or null
     * @param contentLength the Content-Length header, or null
     */
    public HttpProblemException beforeBody(String method, String path, String authorization, String contentLength) {
        boolean api = path.startsWith("/api/") && !path.equals("/api/v1/openapi.json");
        boolean observe = path.equals("/observe/metrics") || path.equals("/api/v1/openapi.json");
        if (!api && !(observe && observeRequiresKey)) {
            return null; // health answers probes without a key
        }
        HttpProblemException unauthorized = path.startsWith(ADMIN_PATH) ? operator(authorization).problem()
                : api && isRead(method) ? reader(authorization).problem()
                : api ? submitter(authorization).problem() : observer(authorization).problem();
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

    private static boolean isRead(String method) {
        return "GET".equalsIgnoreCase(method) || "HEAD".equalsIgnoreCase(method);
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
            HttpProblemException problem = observer(authorization(exchange)).problem();
            if (problem != null) {
                throw problem;
            }
        }
    }

    /** GET /api/v1/messages...: who reads ({@link #READER}), or the refusal. */
    public void read(Exchange exchange) throws HttpProblemException {
        Authorized authorized = reader(authorization(exchange));
        if (authorized.problem() != null) {
            throw authorized.problem();
        }
        exchange.setProperty(READER, new Reader(authorized.key().name(), authorized.key().admin()));
    }

    /** {@code /api/v1/admin/...}: an admin key only ({@link #OPERATOR} is its name), or the refusal. */
    public void admin(Exchange exchange) throws HttpProblemException {
        Authorized authorized = operator(authorization(exchange));
        if (authorized.problem() != null) {
            throw authorized.problem();
        }
        exchange.setProperty(OPERATOR, authorized.key().name());
    }

    /** An admin request with a JSON body: the admin key, then the Content-Type. */
    public void adminJson(Exchange exchange) throws HttpProblemException {
        admin(exchange);
        String mediaType = mediaType(exchange.getMessage());
        if (!mediaType.equals("application/json")) {
            throw unsupported(mediaType, "application/json (an operation: {\"id\"}, {\"filter\"} or {\"all\":\"ALL\"})");
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

    /**
     * The key's sender patterns for accept, and for the ledger the key's name and who submitted:
     * {@code http key billing from 10.0.0.7}, or {@code http from 127.0.0.1} while sending is open.
     */
    private void authorizeRoute(Exchange exchange) throws HttpProblemException {
        Authorized authorized = submitter(authorization(exchange));
        if (authorized.problem() != null) {
            throw authorized.problem();
        }
        String client = clientAddress(exchange.getMessage());
        if (authorized.key() == null) {
            exchange.setProperty(Handover.SUBMITTER, "http from " + client);
            return;
        }
        exchange.setProperty(Handover.API_KEY, authorized.key().name());
        exchange.setProperty(Handover.SUBMITTER, "http key " + authorized.key().name() + " from " + client);
        if (!authorized.key().senders().isEmpty()) {
            exchange.setProperty(SenderPolicy.REQUEST_PATTERNS, authorized.key().senders());
        }
    }

    /** The client's address as the server saw it (Camel sets it; a request header cannot: it is no SocketAddress). */
    private static String clientAddress(Message in) {
        Object remote = in.getHeader(VertxPlatformHttpConstants.REMOTE_ADDRESS);
        if (remote instanceof SocketAddress address && address.hostAddress() != null) {
            return address.hostAddress();
        }
        if (remote instanceof InetSocketAddress address) {
            return address.getHostString();
        }
        return "unknown address";
    }

    private static String authorization(Exchange exchange) {
        return exchange.getMessage().getHeader("Authorization", String.class);
    }

    /** Either the key (null while sending is open), or the refusal. */
    private record Authorized(Key key, HttpProblemException problem) {
    }

    /** Sending: a submit key, unless mailroute.api.keys is empty (then any request, key or not). */
    private Authorized submitter(String authorization) {
        if (!submitNeedsKey) {
            return new Authorized(null, null);
        }
        Authorized found = match(authorization, "mailroute.api.keys");
        if (found.key() != null && found.key().admin()) {
            return new Authorized(null, unauthorized("an admin key (mailroute.admin.keys) reads the ledger and sends"
                                                     + " no mail; send with one of mailroute.api.keys"));
        }
        return found;
    }

    /** Reading the ledger: a submit or an admin key, always; never open without one. */
    private Authorized reader(String authorization) {
        if (keys.isEmpty()) {
            return new Authorized(null, unauthorized("reading messages needs a key, and none is set: set"
                    + " mailroute.admin.keys (name:key) to read every message, or mailroute.api.keys for senders to"
                    + " read their own"));
        }
        return match(authorization, "mailroute.api.keys or mailroute.admin.keys");
    }

    /** The queue's operations: an admin key; a submit key is known but may not (403). */
    private Authorized operator(String authorization) {
        if (keys.stream().noneMatch(Key::admin)) {
            return new Authorized(null, unauthorized("operating the queue needs an admin key, and none is set: set"
                                                     + " mailroute.admin.keys (name:key)"));
        }
        Authorized found = match(authorization, "mailroute.admin.keys");
        if (found.key() != null && !found.key().admin()) {
            return new Authorized(null, new HttpProblemException(403, HttpAnswers.TYPE_ADMIN_ONLY, "Admin key needed",
                    "the key '" + found.key().name() + "' is one of mailroute.api.keys, which send mail;"
                    + " operating the queue needs one of mailroute.admin.keys"));
        }
        return found;
    }

    /** Metrics and the OpenAPI document: any key, when submit keys are set. */
    private Authorized observer(String authorization) {
        return submitNeedsKey ? match(authorization, "mailroute.api.keys") : new Authorized(null, null);
    }

    private Authorized match(String authorization, String settings) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return new Authorized(null,
                    unauthorized("send the header Authorization: Bearer <key> with one of " + settings));
        }
        byte[] given = ApiKey.sha256(authorization.substring(7).trim());
        Key found = null;
        for (Key key : keys) {
            // every key is compared, each in constant time over digests of one length: the answer's
            // time says nothing about the key
            if (MessageDigest.isEqual(key.digest(), given)) {
                found = key;
            }
        }
        if (found == null) {
            return new Authorized(null, unauthorized("the bearer key is not one of " + settings));
        }
        return new Authorized(found, null);
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
