package dev.mailroute.diagnostics;

import java.io.PrintWriter;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailroute.observability.LogText;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What every verb of {@code queue} shares: the options {@code --url}, {@code --json} and {@code
 * --help}, the check of the command line before anything is sent, the one request's client, and
 * exit code 2 with one line when the instance cannot be asked.
 */
abstract class QueueVerb implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", description = "the instance to ask, e.g. http://10.0.0.5:8080"
            + " (default: mailroute.http.host and mailroute.http.port of config/application.properties and the"
            + " environment)")
    URI url;

    @Option(names = "--json", description = "print the instance's JSON answer instead of lines")
    boolean json;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    private final Map<String, String> overrides;
    private final Function<String, String> environment;

    QueueVerb(Map<String, String> overrides, Function<String, String> environment) {
        this.overrides = overrides;
        this.environment = environment;
    }

    @Override
    public final Integer call() {
        check();
        if (url != null && (url.getHost() == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))
                            || url.getRawQuery() != null)) {
            throw usage("--url: '" + LogText.oneLine(url.toString(), 200) + "' is not the http:// or https:// address"
                        + " of a mailroute. Fix: e.g. --url http://127.0.0.1:8080");
        }
        // a path is kept (a mailroute behind a proxy under /mailroute); the API's paths follow it
        URI base = url == null ? null : URI.create(url.toString().replaceAll("/+$", ""));
        try (QuietLogging quiet = QuietLogging.start()) {
            return ask(AdminClient.connect("queue", base, overrides, environment));
        } catch (AdminClient.Failure e) {
            err().println(spec.qualifiedName(" ") + ": " + e.getMessage());
            return 2;
        }
    }

    /** The command line's own checks, before any request: throw {@link #usage} for a wrong one. */
    void check() {
    }

    /** Asks the instance and prints what it answered; the exit code. */
    abstract int ask(AdminClient client) throws AdminClient.Failure;

    /** A wrong command line (exit code 2): what is wrong and the fix, in one line. */
    ParameterException usage(String line) {
        return new ParameterException(spec.commandLine(), line);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** The answer's JSON as it came, for --json. */
    void printJson(JsonNode body) {
        out().println(body.toPrettyString());
    }
}
