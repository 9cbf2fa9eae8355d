package dev.mailroute.ingress.smtp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * The SMTP listener's users ({@code mailroute.smtpd.users}): one {@code user:hash} line each, the
 * hash in Spring Security's self-describing form — {@code {bcrypt}$2a$10$...} or
 * {@code {pbkdf2}...} — never a password itself ({@code java -jar mailroute.jar hash-password}
 * makes one). A third field narrows the senders that user may use: {@code user:hash:*@billing.example.com}.
 * Blank lines and lines starting with {@code #} are ignored.
 */
public final class SmtpUsers {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpUsers.class);

    /**
     * The hash forms a users file may hold. Spring's encoder also reads {@code {noop}} (the password
     * itself) and unsalted digests (MD5, SHA-1, SHA-256, ldap); a file that uses them is refused.
     */
    private static final Set<String> STRONG = Set.of("bcrypt", "pbkdf2", "pbkdf2@SpringSecurity_v5_8");

    /** A password nobody has: compared when the user is unknown, so that the time taken says nothing. */
    private static final String NOBODY = hash(UUID.randomUUID().toString());

    private final PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
    private final Map<String, User> users;

    /** A user's hash and sender patterns. */
    record User(String hash, List<String> senders) {
    }

    private SmtpUsers(Map<String, User> users) {
        this.users = users;
    }

    public static SmtpUsers load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("mailroute.smtpd.users=" + file + " is not a file; write one user:hash"
                                               + " line per user (java -jar mailroute.jar hash-password)");
        }
        Map<String, User> users = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split(":", 3);
            if (fields.length < 2 || fields[0].isEmpty() || !fields[1].startsWith("{")) {
                throw new IllegalArgumentException("mailroute.smtpd.users=" + file + ", line " + (i + 1)
                                                   + ": not user:{algorithm}hash (a password in plain text is not"
                                                   + " accepted; make a hash with java -jar mailroute.jar hash-password)");
            }
            String algorithm = fields[1].substring(1, Math.max(1, fields[1].indexOf('}')));
            if (!STRONG.contains(algorithm)) {
                throw new IllegalArgumentException("mailroute.smtpd.users=" + file + ", line " + (i + 1)
                                                   + ": the hash is {" + algorithm + "}, which is not one of "
                                                   + "{bcrypt} or {pbkdf2}; make one with java -jar mailroute.jar"
                                                   + " hash-password");
            }
            List<String> senders = fields.length == 3 ? Arrays.stream(fields[2].trim().split("\\s+"))
                    .filter(p -> !p.isEmpty()).toList() : List.of();
            users.put(fields[0], new User(fields[1], senders));
        }
        warnIfOthersMayRead(file);
        return new SmtpUsers(users);
    }

    private static void warnIfOthersMayRead(Path file) {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (mode.contains(PosixFilePermission.OTHERS_READ)) {
                LOG.warn("mailroute.smtpd.users={}: others on this machine may read the password hashes in it"
                         + " (chmod o-r)", file);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: nothing to say
        }
    }

    /** True when the user is known and the password matches its hash. */
    boolean matches(String user, String password) {
        User known = users.get(user);
        try {
            boolean ok = encoder.matches(password, known == null ? NOBODY : known.hash());
            return known != null && ok;
        } catch (IllegalArgumentException e) {
            return false; // a hash in a form the encoder does not know
        }
    }

    public int size() {
        return users.size();
    }

    List<String> senders(String user) {
        User known = users.get(user);
        return known == null ? List.of() : known.senders();
    }

    /** A hash for a users file line, in the form {@link #load} reads. */
    public static String hash(String password) {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder().encode(password);
    }
}
