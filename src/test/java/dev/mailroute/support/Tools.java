package dev.mailroute.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real clients and servers the tests talk to that are not Java libraries — swaks, Postfix's
 * smtp-source and smtp-sink, Python — found on the PATH or installed from Debian's packages
 * (the test command needs nothing installed by hand). Installing Postfix starts a daemon on port
 * 25; it is stopped again at once.
 */
public final class Tools {

    private static final List<String> PATH = List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin", "/sbin");

    private Tools() {
    }

    /** The command's path, its Debian package installed first if it is missing. */
    public static synchronized String require(String command, String debianPackage) {
        String found = find(command);
        if (found != null) {
            return found;
        }
        run(List.of("apt-get", "install", "-y", "-q", debianPackage), 600);
        if (find(command) == null) {
            run(List.of("apt-get", "update", "-q"), 600);
            run(List.of("apt-get", "install", "-y", "-q", debianPackage), 600);
        }
        if (debianPackage.equals("postfix")) {
            // the package starts its daemon: never leave anything listening on port 25
            run(List.of("postfix", "stop"), 60);
        }
        found = find(command);
        if (found == null) {
            throw new IllegalStateException(command + " is not installed and 'apt-get install " + debianPackage
                                            + "' did not install it (the tests install what they need as root)");
        }
        return found;
    }

    private static String find(String command) {
        for (String dir : PATH) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    /** Runs a command to its end; its output, whatever the exit code. */
    public static Result run(List<String> command, long timeoutSeconds) {
        return run(command, "", timeoutSeconds);
    }

    /** Runs a command to its end with this standard input; its output, whatever the exit code. */
    public static Result run(List<String> command, String input, long timeoutSeconds) {
        try {
            Path output = Files.createTempFile("mailroute-tool", ".out");
            Path stdin = Files.writeString(Files.createTempFile("mailroute-tool", ".in"), input);
            ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
            builder.environment().put("DEBIAN_FRONTEND", "noninteractive"); // apt: no debconf questions
            Process process = builder.redirectOutput(output.toFile()).redirectInput(stdin.toFile()).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not end within " + timeoutSeconds + " s");
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            Files.delete(output);
            Files.delete(stdin);
            return new Result(process.exitValue(), text);
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public record Result(int exit, String output) {
    }
}
