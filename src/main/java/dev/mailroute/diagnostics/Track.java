package dev.mailroute.diagnostics;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;
import java.util.function.Function;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroute.config.MailrouteSettings;
import dev.mailroute.ledger.LedgerQueries;
import dev.mailroute.observability.LogText;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * {@code java -jar mailroute.jar track --to customer@example.com --since 2h}: asks the running
 * mailroute (the one this configuration describes) what became of messages, through its status
 * API with an admin key, and prints one line per recipient — accepted at, id, recipient, state,
 * attempts, last reply — or the answer's JSON with {@code --json}.
 *
 * <p>The key is {@code MAILROUTE_ADMIN_KEY} from the environment, else the first of
 * {@code mailroute.admin.keys} in the configuration the instance reads; never an argument, which
 * anyone on the machine could read in the process list.
 *
 * <p>Exit code 0 when something was found, 1 when nothing was, 2 for a wrong command line or an
 * instance that cannot be asked (one line says what, and the fix).
 */
public final class Track {

    static final String USAGE = "usage: java -jar mailroute.jar track [--to ADDRESS] [--from ADDRESS] [--id ID]"
                                + " [--message-id MESSAGE-ID] [--state STATE] [--since TIME] [--until TIME]"
                                + " [--limit N] [--json]   (TIME: 2h, 30m, 7d or 2026-12-05T10:00:00Z;"
                                + " the admin key comes from MAILROUTE_ADMIN_KEY or mailroute.admin.keys)";
    /** Each option with a value, and the search parameter it becomes. */
    private static final Map<String, String> PARAMETERS = Map.of("--to", "recipient", "--from", "sender",
            "--message-id", "messageId", "--state", "state", "--since", "since", "--until", "until", "--limit", "limit");

    private Track() {
    }

    public static int run(String[] args, PrintStream out) {
        return run(args, out, Map.of(), System::getenv);
    }

    /**
     * @param overrides property values that win over the environment and the file (tests)
     * @param environment where MAILROUTE_ADMIN_KEY is looked up
     */
    public static int run(String[] args, PrintStream out, Map<String, String> overrides,
                          Function<String, String> environment) {
        Map<String, String> query = new LinkedHashMap<>();
        String id = null;
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--json")) {
                json = true;
            } else if ((PARAMETERS.containsKey(option) || option.equals("--id")) && i + 1 < args.length) {
                if (option.equals("--id")) {
                    id = args[++i];
                } else {
                    query.put(PARAMETERS.get(option), args[++i]);
                }
            } else {
                out.println("mailroute track: " + (option.startsWith("--key") ? "the key is never an argument (others"
                        + " see arguments in the process list): set MAILROUTE_ADMIN_KEY" : "'" + LogText.oneLine(option, 60)
                        + "' " + (PARAMETERS.containsKey(option) || option.equals("--id") ? "needs a value"
                        : "is not an option")));
                out.println(USAGE);
                return 2;
            }
        }
        if (id != null && !query.isEmpty() && !(query.size() == 1 && query.containsKey("recipient"))) {
            out.println("mailroute track: --id names one message; only --to may go with it");
            out.println(USAGE);
            return 2;
        }
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        TurboFilter silence = new TurboFilter() {
            @Override
            public FilterReply decide(Marker marker, ch.qos.logback.classic.Logger logger, Level level,
                                      String format, Object[] params, Throwable t) {
                return FilterReply.DENY; // the lines are the output; a library's log would garble them
            }
        };
        logging.addTurboFilter(silence);
        try {
            MailrouteSettings settings = settings(overrides);
            String key = environment.apply("MAILROUTE_ADMIN_KEY");
            if (key == null || key.isBlank()) {
                if (settings.http().adminKeys().isEmpty()) {
                    out.println("mailroute track: no admin key. Fix: set MAILROUTE_ADMIN_KEY, or mailroute.admin.keys"
                                + " (name:key) for this instance and restart it");
                    return 2;
                }
                key = settings.http().adminKeys().get(0).key().reveal();
            }
            return ask(out, settings, key.trim(), id, query, json);
        } catch (IllegalArgumentException e) {
            out.println("mailroute track: " + LogText.oneLine(e.getMessage(), 300)
                        + ". Fix: config/application.properties or the environment");
            return 2;
        } finally {
            logging.getTurboFilterList().remove(silence);
        }
    }

    private static MailrouteSettings settings(Map<String, String> overrides) {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            PropertiesComponent properties = context.getPropertiesComponent();
            properties.setLocation("file:config/application.properties;optional=true");
            Properties override = new Properties();
            override.putAll(overrides);
            properties.setOverrideProperties(override);
            return MailrouteSettings.from(properties);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the configuration: " + e.getMessage());
        }
    }

    private static int ask(PrintStream out, MailrouteSettings settings, String key, String id,
                           Map<String, String> query, boolean json) {
        String path;
        if (id != null) {
            path = "/api/v1/messages/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
        } else {
            StringJoiner parameters = new StringJoiner("&", "?", "").setEmptyValue("");
            query.forEach((name, value) -> parameters.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8)));
            path = "/api/v1/messages" + parameters;
        }
        String where = RunningInstance.address(settings);
        HttpResponse<String> answer;
        try {
            answer = RunningInstance.get(settings, path, key);
        } catch (ConnectException e) {
            out.println("mailroute track: cannot reach mailroute at " + where + " (connection refused). Fix: start"
                        + " mailroute, or run track with the configuration of the running one (mailroute.http.host,"
                        + " mailroute.http.port)");
            return 2;
        } catch (IOException e) {
            out.println("mailroute track: cannot reach mailroute at " + where + " ("
                        + LogText.oneLine(String.valueOf(e.getMessage()), 200) + "). Fix: check that it runs there");
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 2;
        }
        JsonNode body;
        try {
            body = new ObjectMapper().readTree(answer.body());
        } catch (IOException e) {
            out.println("mailroute track: " + where + " answered " + answer.statusCode() + " with no JSON; is it"
                        + " mailroute? Fix: check mailroute.http.port");
            return 2;
        }
        if (answer.statusCode() == 404 && id != null && body.path("type").asText().endsWith(":not-found")) {
            out.println("no message " + LogText.oneLine(id, 64) + " in the ledger of " + where);
            return 1;
        }
        if (answer.statusCode() != 200) {
            out.println("mailroute track: " + where + " answered " + answer.statusCode() + ": "
                        + LogText.oneLine(body.path("detail").asText(), 500) + fix(answer.statusCode()));
            return 2;
        }
        if (json) {
            out.println(body.toPrettyString());
            return id != null || !body.path("messages").isEmpty() ? 0 : 1;
        }
        int lines = 0;
        for (JsonNode message : id != null ? List.of(body) : iterable(body.path("messages"))) {
            for (JsonNode recipient : message.path("recipients")) {
                if (query.containsKey("recipient")
                    && !recipient.path("address").asText().equalsIgnoreCase(query.get("recipient"))) {
                    continue;
                }
                out.println(line(message, recipient));
                lines++;
            }
        }
        if (lines == 0) {
            out.println("no messages found" + (id != null ? " for that recipient" : "") + " in the ledger of " + where);
            return 1;
        }
        if (body.has("next")) {
            out.println("(more: raise --limit, or narrow with --since)");
        }
        return 0;
    }

    /** accepted at, id, recipient, state, attempts, last reply: every text from outside on one escaped line. */
    static String line(JsonNode message, JsonNode recipient) {
        String accepted = message.path("acceptedAt").asText();
        try {
            accepted = Instant.parse(accepted).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (RuntimeException e) {
            accepted = LogText.oneLine(accepted, 40);
        }
        String reply = LedgerQueries.reply(recipient.path("replyCode").isNumber() ? recipient.path("replyCode").asInt()
                : null, text(recipient.path("replyStatus")), text(recipient.path("replyText")));
        return String.join("  ", accepted, LogText.oneLine(message.path("id").asText(), 64),
                LogText.oneLine(recipient.path("address").asText(), 320),
                recipient.path("state").asText().toLowerCase(Locale.ROOT),
                "attempts=" + recipient.path("attempts").asInt(),
                reply.isEmpty() ? "-" : LogText.oneLine(reply, 300));
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : null;
    }

    private static Iterable<JsonNode> iterable(JsonNode array) {
        return array::elements;
    }

    private static String fix(int status) {
        return switch (status) {
            case 401 -> ". Fix: set MAILROUTE_ADMIN_KEY to one of the instance's mailroute.admin.keys (the key after"
                        + " 'name:')";
            case 400 -> ". Fix: the option named above";
            case 404 -> ". Fix: set mailroute.ledger.enabled=true on the instance";
            default -> ". Fix: try again; the instance's log says more";
        };
    }
}
