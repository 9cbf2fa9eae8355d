package dev.mailroute.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP receiver of webhooks on 127.0.0.1 (the JDK's server): keeps every request it gets,
 * answers what the test says (200 by default; a redirect with a Location), and can go away and come
 * back on the same port, as a receiver that is down does.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One request as it arrived: the Standard Webhooks headers and the body. */
    public record Request(String id, String timestamp, String signature, String contentType, String body) {
        public JsonNode json() {
            try {
                return new ObjectMapper().readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public String type() {
            return json().path("type").asText();
        }

        public String messageId() {
            return json().path("data").path("id").asText();
        }
    }

    private final int port;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String location;
    private HttpServer server;

    private WebhookReceiver(int port) {
        this.port = port;
    }

    /** Listening now. */
    public static WebhookReceiver start() {
        WebhookReceiver receiver = new WebhookReceiver(TestGateway.freePort());
        receiver.up();
        return receiver;
    }

    /** Not listening yet: a receiver that is down; {@link #up} brings it. */
    public static WebhookReceiver down() {
        return new WebhookReceiver(TestGateway.freePort());
    }

    public synchronized WebhookReceiver up() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            var headers = exchange.getRequestHeaders();
            requests.add(new Request(headers.getFirst("webhook-id"), headers.getFirst("webhook-timestamp"),
                    headers.getFirst("webhook-signature"), headers.getFirst("Content-Type"), body));
            if (location != null) {
                exchange.getResponseHeaders().add("Location", location);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return this;
    }

    /** Gone: connections are refused until {@link #up}. */
    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    public WebhookReceiver answer(int status) {
        this.status = status;
        return this;
    }

    public WebhookReceiver redirectTo(String location) {
        this.location = location;
        return answer(302);
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/hooks/mail";
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        stop();
    }
}
