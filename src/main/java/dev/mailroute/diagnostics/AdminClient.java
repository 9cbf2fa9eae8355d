package dev.mailroute.diagnostics;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroute.config.MailrouteSettings;
import dev.mailroute.observability.LogText;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * The running mailroute's admin API as the command-line tools ({@code track}, {@code queue}) reach
 * it: where it listens — {@code mailroute.http.host} and {@code mailroute.http.port} of this
 * folder's configuration, or the URL the operator names — with which key — {@code
 * MAILROUTE_ADMIN_KEY} from the environment, else the first of {@code mailroute.admin.keys}; never
 * an argument, which anyone on the machine could read in the process list — and every answer that
 * cannot be used turned into the operator's one line: what, and the fix.
 */
final class AdminClient {

    private static final Duration CONNECT = Duration.ofSeconds(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The tool's name, as the fixes tell the operator to run it again. */
    private final String tool;
    private final URI base;
    /** Whether the operator named the address (--url) rather than the configuration. */
    private final boolean named;
    private final String key;

    /** An answer of the API: its status and its JSON. */
    record Answer(int status, JsonNode body) {
    }

    /** What stops a tool (exit code 2), as the one line it prints: what went wrong, and the fix. */
    static final class Failure extends Exception {
        Failure(String line) {
            super(line, null, false, false);
        }
    }

    private AdminClient(String tool, URI base, boolean named, String key) {
        this.tool = tool;
        this.base = base;
        this.named = named;
        this.key = key;
    }

    /**
     * @param url the instance's address from the command line, or null for the configuration's
     * @param overrides property values that win over the environment and the file (tests)
     * @param environment where MAILROUTE_ADMIN_KEY is looked up
     */
    static AdminClient connect(String tool, URI url, Map<String, String> overrides,
                               Function<String, String> environment) throws Failure {
        String key = environment.apply("MAILROUTE_ADMIN_KEY");
        boolean keyGiven = key != null && !key.isBlank();
        // with both the address and the key given, a configuration with a mistake elsewhere does not matter
        MailrouteSettings settings = url != null && keyGiven ? null : settings(overrides);
        if (!keyGiven) {
            if (settings.http().adminKeys().isEmpty()) {
                throw new Failure("no admin key. Fix: set MAILROUTE_ADMIN_KEY, or mailroute.admin.keys (name:key) for"
                                  + " this instance and restart it");
            }
            key = settings.http().adminKeys().get(0).key().reveal();
        }
        key = key.trim();
        if (!key.chars().allMatch(c -> c > ' ' && c < 127)) {
            throw new Failure("the admin key holds a space or a character an HTTP header cannot carry. Fix: check"
                              + " MAILROUTE_ADMIN_KEY or mailroute.admin.keys");
        }
        return new AdminClient(tool, url != null ? url : RunningInstance.base(settings), url != null, key);
    }

    private static MailrouteSettings settings(Map<String, String> overrides) throws Failure {
        try (DefaultCamelContext context = ConfigurationFile.open(overrides)) {
            return MailrouteSettings.from(context.getPropertiesComponent());
        } catch (IllegalArgumentException e) {
            throw new Failure(LogText.oneLine(e.getMessage(), 300)
                              + ". Fix: config/application.properties or the environment");
        } catch (IOException e) {
            throw new Failure("cannot read the configuration: " + LogText.oneLine(e.getMessage(), 300)
                              + ". Fix: config/application.properties or the environment");
        }
    }

    /** Where it listens, for people to read: http://127.0.0.1:8080 */
    String where() {
        return base.toString();
    }

    /** A GET; the path includes the query, already encoded. */
    Answer get(String path) throws Failure {
        return send("GET", path, null);
    }

    /** A POST of a JSON document. */
    Answer post(String path, JsonNode body) throws Failure {
        return send("POST", path, body.toString());
    }

    /**
     * How long an answer may take: a bulk operation over a large queue goes through it on the
     * broker once per queue and group of ids, each step allowed QueueOperations.ANSWER_MILLIS.
     */
    private static final Duration ANSWER = Duration.ofMinutes(10);

    /**
     * One request, on a connection of its own. HttpURLConnection rather than java.net.http: the
     * latter's selector thread waits in native code, and a JVM that exits waits 300 ms for such a
     * thread — a third of a {@code mailroute queue} command (measured, Java 17).
     */
    private Answer send(String method, String path, String json) throws Failure {
        int status;
        String text;
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) URI.create(where() + path).toURL().openConnection();
            connection.setRequestMethod(method);
            connection.setConnectTimeout((int) CONNECT.toMillis());
            connection.setReadTimeout((int) ANSWER.toMillis());
            // the key goes to the address named, never to where a redirect points
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setRequestProperty("Authorization", "Bearer " + key);
            connection.setRequestProperty("Accept", "application/json, application/problem+json");
            if (json != null) {
                byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
                // not in streaming mode: in it, a 401 carrying WWW-Authenticate ends in an
                // HttpRetryException and the instance's problem document is lost
                connection.setDoOutput(true);
                connection.setRequestProperty("Content-Type", "application/json");
                try (OutputStream out = connection.getOutputStream()) {
                    out.write(bytes);
                }
            }
            status = connection.getResponseCode();
            try (InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
                text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (ConnectException e) {
            throw new Failure("cannot reach mailroute at " + where() + " (connection refused). Fix: " + (named
                    ? "start mailroute there, or correct --url"
                    : "start mailroute, or run " + tool + " with the configuration of the running one"
                      + " (mailroute.http.host, mailroute.http.port)"));
        } catch (IOException | IllegalArgumentException e) {
            throw new Failure("cannot reach mailroute at " + where() + " ("
                              + LogText.oneLine(String.valueOf(e.getMessage()), 200) + "). Fix: check that it runs there");
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
        JsonNode body;
        try {
            body = JSON.readTree(text);
        } catch (IOException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            throw new Failure(where() + " answered " + status + " with no JSON; is it mailroute? Fix: "
                              + (named ? "check --url" : "check mailroute.http.port"));
        }
        return new Answer(status, body);
    }

    /**
     * An answer other than 200 as the operator's line: the status, the problem's detail, the fix.
     *
     * @param notFoundFix the fix for a 404, which means something else to each tool
     */
    Failure refused(Answer answer, String notFoundFix) {
        String fix = switch (answer.status()) {
            case 401 -> "set MAILROUTE_ADMIN_KEY to one of the instance's mailroute.admin.keys (the key after 'name:')";
            case 403 -> "set MAILROUTE_ADMIN_KEY to an admin key (mailroute.admin.keys), not an API key"
                        + " (mailroute.api.keys)";
            case 400 -> "the option named above";
            case 404 -> notFoundFix;
            default -> "try again; the instance's log says more";
        };
        return new Failure(where() + " answered " + answer.status() + ": "
                           + LogText.oneLine(answer.body().path("detail").asText(), 500) + ". Fix: " + fix);
    }

    /** A time of an answer as the tools show it: to the second, or escaped if it is not one. */
    static String time(JsonNode value) {
        String text = value.asText();
        try {
            return Instant.parse(text).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (RuntimeException e) {
            return LogText.oneLine(text, 40);
        }
    }
}
