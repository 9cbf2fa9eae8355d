package dev.mailroute.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.condition.OS;

/**
 * The real clients and servers the tests talk to that are not Java libraries — swaks, Postfix's
 * smtp-source and smtp-sink, Python, openssl — found on the PATH. They are installed in one place,
 * {@code test-tools/install.sh}, which the test command runs before the tests; a test never
 * installs anything itself.
 */
public final class Tools {

    private static final List<String> PATH = List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin", "/sbin");

    private Tools() {
    }

    /**
     * The command's path; a missing one says where it should have come from. On Windows, where
     * these Debian tools do not exist, the test that needs one is skipped, and says why.
     */
    public static String require(String command, String debianPackage) {
        Assumptions.assumeFalse(OS.WINDOWS.isCurrentOs(), command + " (Debian package " + debianPackage
                                                           + ") is not available on Windows: skipped there");
        String found = find(command);
        if (found == null) {
            throw new IllegalStateException(command + " is not installed: test-tools/install.sh installs it (Debian"
                                            + " package " + debianPackage + "), and mvn verify runs that script");
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
            Path output = Scratch.file("mailroute-tool", ".out");
            Path stdin = Files.writeString(Scratch.file("mailroute-tool", ".in"), input);
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
