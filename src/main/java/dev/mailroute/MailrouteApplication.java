package dev.mailroute;

import java.util.Arrays;
import java.util.Map;

import dev.mailroute.diagnostics.Doctor;
import dev.mailroute.settings.StartupCheckException;

/**
 * {@code java -jar mailroute.jar}: runs the gateway until it is stopped.
 * {@code java -jar mailroute.jar doctor ...}: checks the setup and exits (see {@link Doctor}).
 */
public final class MailrouteApplication {

    private MailrouteApplication() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("doctor")) {
            System.exit(Doctor.run(Arrays.copyOfRange(args, 1, args.length), System.out));
        }
        Gateway gateway = new Gateway(Map.of());
        try {
            gateway.run();
        } catch (Throwable e) {
            System.err.println("mailroute: cannot start: " + explain(e));
            try {
                gateway.close();
            } finally {
                System.exit(2);
            }
        }
    }

    /** The operator's line: a failed check as it is worded, otherwise the innermost cause. */
    static String explain(Throwable e) {
        Throwable innermost = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StartupCheckException || t instanceof IllegalArgumentException) {
                return t.getMessage();
            }
            innermost = t;
        }
        return innermost.getClass().getSimpleName() + ": " + innermost.getMessage();
    }
}
