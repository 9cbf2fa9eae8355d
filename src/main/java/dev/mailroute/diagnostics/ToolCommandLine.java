package dev.mailroute.diagnostics;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import dev.mailroute.observability.LogText;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How every command-line tool (doctor, track, queue) reads its command line with picocli, so that
 * they answer alike: {@code --help}; a wrong command line as one line — what, and the fix — and
 * exit code 2; a fault of the tool itself the same way (never picocli's 1, which means "nothing
 * found" or "a check failed" here); an argument that looks like a key refused as such.
 */
final class ToolCommandLine {

    private ToolCommandLine() {
    }

    /** Runs the command on the arguments: its help and output on {@code out}, the refusals on {@code err}. */
    static int execute(CommandLine command, String[] args, PrintStream out, PrintStream err) {
        PrintWriter output = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter errors = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        command.setOut(output).setErr(errors)
                // an argument @file would be read as more arguments: a value is only ever itself
                .setExpandAtFiles(false)
                .setParameterExceptionHandler(ToolCommandLine::wrong)
                .setExecutionExceptionHandler((e, failed, parsed) -> {
                    failed.getErr().println(failed.getCommandSpec().qualifiedName(" ") + ": "
                            + e.getClass().getSimpleName() + ": " + LogText.oneLine(e.getMessage(), 300));
                    return 2;
                });
        try {
            return command.execute(args);
        } finally {
            output.flush();
            errors.flush();
        }
    }

    private static int wrong(ParameterException wrong, String[] args) {
        CommandLine command = wrong.getCommandLine();
        String name = command.getCommandSpec().qualifiedName(" ");
        boolean key = wrong instanceof UnmatchedArgumentException unmatched
                      && unmatched.getUnmatched().stream().anyMatch(a -> a.startsWith("--key")
                                                                         || a.startsWith("--admin-key"));
        String what = key ? "the key is never an argument (others see arguments in the process list). Fix: set"
                            + " MAILROUTE_ADMIN_KEY"
                : LogText.oneLine(wrong.getMessage(), 300);
        command.getErr().println(name + ": " + what + (what.contains("Fix:") ? "" : ". Fix: see " + name + " --help"));
        return 2;
    }
}
