package dev.mailroute.diagnostics;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar mailroute.jar queue <verb>}: looks into and acts on the running instance's
 * queues through its admin API (docs/cli.md) — {@code ls}, {@code summary}; {@code hold}, {@code
 * release}, {@code retry}, {@code delete}, {@code requeue} on the messages one selection names;
 * {@code suspend} and {@code resume} delivery.
 *
 * <p>Exit code 0 when it was done, 1 when nothing matched, 2 for a wrong command line or an
 * instance that cannot be asked (one line says what, and the fix).
 */
@Command(name = "mailroute queue", synopsisSubcommandLabel = "VERB", description = {
        "Look into and act on the queues of the running mailroute, through its admin API.",
        "The admin key comes from MAILROUTE_ADMIN_KEY, else the first of mailroute.admin.keys; never from the"
        + " command line. The instance is the one config/application.properties and the environment describe"
        + " (mailroute.http.host, mailroute.http.port), or --url.",
        "Exit codes: 0 done, 1 nothing matched, 2 wrong command line or instance not reachable."},
        footer = "mailroute queue VERB --help shows a verb's options.")
public final class QueueCommand implements Callable<Integer> {

    /** The fix for a 404 from the admin API: the instance predates it, or is not mailroute. */
    static final String NO_ADMIN_API = "run a mailroute that has the admin queue API, or check the address";

    @Spec
    CommandSpec spec;

    @CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("mailroute queue: which verb? Fix: one of "
                + String.join(", ", spec.subcommands().keySet()) + " (mailroute queue --help)");
        return 2;
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, Map.of(), System::getenv);
    }

    /**
     * @param overrides property values that win over the environment and the file (tests)
     * @param environment where MAILROUTE_ADMIN_KEY is looked up
     */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> overrides,
                          Function<String, String> environment) {
        CommandLine queue = new CommandLine(new QueueCommand());
        queue.addSubcommand("ls", new QueueList(overrides, environment));
        queue.addSubcommand("summary", new QueueSummary(overrides, environment));
        queue.addSubcommand("show", new QueueShow(overrides, environment));
        QueueOperation.OPERATIONS.forEach((operation, what) -> {
            CommandLine verb = new CommandLine(new QueueOperation(operation, overrides, environment));
            verb.getCommandSpec().name(operation).usageMessage().description(what.help(), "Exit code 0 when something"
                    + " matched, 1 when nothing did, 2 for a wrong command line or an instance that cannot be asked.")
                    .customSynopsis(String.format(QueueOperation.SYNOPSIS, operation,
                            operation.equals("delete") ? " [--notify-sender]" : ""));
            queue.addSubcommand(operation, verb);
        });
        queue.addSubcommand("suspend", delivery("suspend", "Suspend delivery: nothing is sent until resume;"
                + " messages are still taken and queued.", overrides, environment));
        queue.addSubcommand("resume", delivery("resume", "Resume delivery after suspend.", overrides, environment));
        return ToolCommandLine.execute(queue, args, out, err);
    }

    private static CommandLine delivery(String verb, String description, Map<String, String> overrides,
                                        Function<String, String> environment) {
        CommandLine command = new CommandLine(new QueueDelivery(verb, overrides, environment));
        command.getCommandSpec().name(verb).usageMessage().description(description, "Exit code 0, or 2 when the"
                + " instance cannot be asked.");
        return command;
    }
}
