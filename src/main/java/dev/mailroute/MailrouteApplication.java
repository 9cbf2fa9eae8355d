package dev.mailroute;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

import dev.mailroute.diagnostics.Doctor;
import dev.mailroute.diagnostics.QueueCommand;
import dev.mailroute.diagnostics.ToolLogging;
import dev.mailroute.diagnostics.Track;
import dev.mailroute.ingress.smtp.SmtpUsers;
import dev.mailroute.settings.StartupCheckException;

/**
 * {@code java -jar mailroute.jar}: runs the gateway until it is stopped.
 * {@code java -jar mailroute.jar doctor ...}: checks the setup and exits (see {@link Doctor}).
 * {@code java -jar mailroute.jar track ...}: asks the running instance what became of messages (see {@link Track}).
 * {@code java -jar mailroute.jar queue ...}: looks into and acts on the running instance's queues (see {@link QueueCommand}).
 * {@code java -jar mailroute.jar hash-password}: prints a password hash for the SMTP listener's users file.
 */
public final class MailrouteApplication {

    private static final Set<String> TOOLS = Set.of("doctor", "track", "queue", "hash-password");

    private MailrouteApplication() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && TOOLS.contains(args[0])) {
            // before anything logs: a tool's output is its own lines (ToolLogging)
            System.setProperty(ToolLogging.PROPERTY, "true");
        }
        if (args.length > 0 && args[0].equals("doctor")) {
            System.exit(Doctor.run(Arrays.copyOfRange(args, 1, args.length), System.out));
        }
        if (args.length > 0 && args[0].equals("track")) {
            System.exit(Track.run(Arrays.copyOfRange(args, 1, args.length), System.out));
        }
        if (args.length > 0 && args[0].equals("queue")) {
            System.exit(QueueCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("hash-password")) {
            System.exit(hashPassword());
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

    /**
     * {@code java -jar mailroute.jar queue ...}: looks into and acts on the running instance's queues (see {@link QueueCommand}).
 * {@code java -jar mailroute.jar hash-password}: reads a password (from the console without
     * echo, or one line of standard input) and prints the hash for a line of mailroute.smtpd.users.
     */
    private static int hashPassword() {
        String password;
        if (System.console() != null) {
            char[] typed = System.console().readPassword("password: ");
            password = typed == null ? null : new String(typed);
        } else {
            try {
                password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                password = null;
            }
        }
        if (password == null || password.isEmpty()) {
            System.err.println("mailroute: hash-password: no password given");
            return 2;
        }
        System.out.println(SmtpUsers.hash(password));
        return 0;
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
