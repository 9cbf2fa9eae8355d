package dev.mailroute.diagnostics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Windows service's state, as {@code sc query <name>} tells it. The command is the seam
 * ({@link Sc}): a test hands in what {@code sc} printed on a real Windows Server.
 */
final class WindowsService {

    /** sc's states (the number before each is Windows' SERVICE_* value); ABSENT: not installed; UNKNOWN: sc could not say. */
    enum State {
        STOPPED, START_PENDING, STOP_PENDING, RUNNING, CONTINUE_PENDING, PAUSE_PENDING, PAUSED, ABSENT, UNKNOWN
    }

    /** What {@code sc query} printed, and its exit code. */
    record Answer(int exitCode, String output) {
    }

    /** Runs {@code sc query <name>}. */
    interface Sc {
        Answer query(String service) throws IOException, InterruptedException;
    }

    /** sc's exit code and message number for a service that is not installed (ERROR_SERVICE_DOES_NOT_EXIST). */
    private static final int NOT_INSTALLED = 1060;
    /**
     * The state line, whatever its label (STATE in English, translated on other Windows): the number and
     * name of one of the states. The number alone would also match {@code TYPE : 1  KERNEL_DRIVER}.
     */
    private static final Pattern STATE = Pattern.compile(
            ":\\s*([1-7])\\s+(STOPPED|START_PENDING|STOP_PENDING|RUNNING|CONTINUE_PENDING|PAUSE_PENDING|PAUSED)\\b");
    private static final int MAX_OUTPUT = 64 * 1024;

    /** The real {@code sc.exe}: ten seconds at most, its output bounded. */
    static final Sc SC_EXE = service -> {
        Process sc = new ProcessBuilder("sc.exe", "query", service).redirectErrorStream(true).start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (InputStream in = sc.getInputStream()) {
            in.transferTo(new java.io.OutputStream() {
                @Override
                public void write(int b) {
                    if (output.size() < MAX_OUTPUT) {
                        output.write(b);
                    }
                }
            });
        }
        if (!sc.waitFor(10, TimeUnit.SECONDS)) {
            sc.destroyForcibly();
            throw new IOException("sc query " + service + " did not answer within 10 s");
        }
        return new Answer(sc.exitValue(), output.toString(Charset.defaultCharset()));
    };

    private WindowsService() {
    }

    static State state(Answer answer) {
        Matcher state = STATE.matcher(answer.output());
        if (state.find()) {
            return State.values()[Integer.parseInt(state.group(1)) - 1];
        }
        if (answer.exitCode() == NOT_INSTALLED || answer.output().contains("FAILED " + NOT_INSTALLED)) {
            return State.ABSENT;
        }
        return State.UNKNOWN;
    }

    /** The state's name as an operator reads it: "running", "stop pending". */
    static String shown(State state) {
        return state.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
