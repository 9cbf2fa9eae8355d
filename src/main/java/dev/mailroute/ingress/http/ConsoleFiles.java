package dev.mailroute.ingress.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * The operator console's files ({@code /console/}, docs/console.md), read from the jar once at
 * start and served from memory. Only the files named here exist: a request path is looked up in
 * this map, never joined to a folder, so no spelling of {@code ..} (plain, percent-encoded,
 * backslashed) reaches anything else — unlike a static-file handler, which maps paths onto a
 * folder and copies classpath resources into a cache folder on disk.
 *
 * <p>Every answer under {@code /console/}, a 404 too, carries a Content-Security-Policy that allows
 * only the console's own script and style (no inline code, no frames, no plugins): even a value
 * that slipped into the page as markup could run nothing.
 */
public final class ConsoleFiles {

    /** Where the console is served; {@code /console} is redirected here. */
    public static final String PATH = "/console/";

    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self';"
            + " object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    private record File(Buffer content, String contentType) {
    }

    private final Map<String, File> files = Map.of(
            PATH, load("index.html", "text/html; charset=utf-8"),
            PATH + "console.js", load("console.js", "text/javascript; charset=utf-8"),
            PATH + "console.css", load("console.css", "text/css; charset=utf-8"));

    private static File load(String name, String contentType) {
        try (InputStream in = ConsoleFiles.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the jar has no console/" + name + " (src/main/resources/console)");
            }
            return new File(Buffer.buffer(in.readAllBytes()), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read console/" + name + " from the jar", e);
        }
    }

    /** GET or HEAD of {@code /console} and everything under {@code /console/}. */
    public void answer(RoutingContext context) {
        HttpServerResponse response = context.response();
        response.putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("X-Frame-Options", "DENY")
                // the files change with the jar: always asked again (a 304 costs little)
                .putHeader("Cache-Control", "no-cache");
        HttpMethod method = context.request().method();
        if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
            response.setStatusCode(405).putHeader("Allow", "GET, HEAD")
                    .putHeader("Content-Type", "text/plain; charset=utf-8").end("the console's files are only read (GET)\n");
            return;
        }
        // the raw path, not Vert.x's normalized one: only these exact spellings are files
        String path = context.request().path();
        if (PATH.substring(0, PATH.length() - 1).equals(path)) {
            response.setStatusCode(301).putHeader("Location", PATH).end();
            return;
        }
        File file = path == null ? null : files.get(path);
        if (file == null) {
            response.setStatusCode(404).putHeader("Content-Type", "text/plain; charset=utf-8")
                    .end("no such file of the console\n");
            return;
        }
        response.putHeader("Content-Type", file.contentType());
        if (method == HttpMethod.HEAD) {
            response.putHeader("Content-Length", String.valueOf(file.content().length())).end();
        } else {
            response.end(file.content());
        }
    }
}
