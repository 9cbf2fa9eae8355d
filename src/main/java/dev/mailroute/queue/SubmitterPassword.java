package dev.mailroute.queue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

import dev.mailroute.files.AtomicFile;
import dev.mailroute.settings.Secret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The password JMS submitters log in to the embedded broker with: {@code mailroute.broker.submitPassword}
 * when the operator set it; otherwise made up on the first start (24 random bytes) and kept in
 * {@code <broker dir>/submit-password}, readable by mailroute's user only, so that it stays the
 * same across restarts. The log says where it is, never what it is.
 */
public final class SubmitterPassword {

    private static final Logger LOG = LoggerFactory.getLogger(SubmitterPassword.class);
    static final String FILE = "submit-password";

    private SubmitterPassword() {
    }

    /** The submitters' password as the running broker has it, or null before the broker's first start. */
    public static Secret current(BrokerSettings settings) throws IOException {
        if (settings.submitPassword() != null) {
            return settings.submitPassword();
        }
        Path file = settings.dir().resolve(FILE);
        return Files.isRegularFile(file) ? Secret.of(Files.readString(file, StandardCharsets.US_ASCII).trim()) : null;
    }

    static Secret resolve(Secret configured, Path brokerDir, String user) throws IOException {
        if (configured != null) {
            return configured;
        }
        Path file = brokerDir.resolve(FILE);
        if (Files.isRegularFile(file)) {
            String stored = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (!stored.isEmpty()) {
                LOG.info("JMS submitters log in to the broker as '{}' with the password in {}"
                         + " (set MAILROUTE_BROKER_SUBMITPASSWORD to choose one)", user, file);
                return Secret.of(stored);
            }
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Files.createDirectories(brokerDir);
        AtomicFile.write(file, password.getBytes(StandardCharsets.US_ASCII), true, AtomicFile.OWNER_ONLY);
        LOG.warn("JMS submitters log in to the broker as '{}' with a password generated now and kept in {}"
                 + " (readable by this user only; set MAILROUTE_BROKER_SUBMITPASSWORD to choose one)", user, file);
        return Secret.of(password);
    }
}
