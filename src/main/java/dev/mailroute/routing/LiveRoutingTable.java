package dev.mailroute.routing;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import dev.mailroute.observability.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing table in force, and the routing file watched for a change ({@link #check}, every
 * {@code mailroute.routing.checkInterval}). An edit that validates replaces the table at once; one
 * that does not is refused — logged once with its file, line and reason, counted, in the metrics —
 * and the table in force stays, until the file is mended. The file is
 * compared by its content, so a touch or a copy of the same rules changes nothing.
 */
public final class LiveRoutingTable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveRoutingTable.class);

    private final Path file;
    private final Set<String> relays;
    private volatile RoutingTable table;
    /** The digest of the content last looked at, applied or refused: the same content is not read twice. */
    private byte[] seen;
    private volatile String refused;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();

    public LiveRoutingTable(RoutingSettings settings, Set<String> relays) {
        this.file = settings.file();
        this.relays = Set.copyOf(relays);
        this.table = settings.table();
        if (file != null) {
            try {
                seen = digest(RoutingFile.read(file));
            } catch (RoutingFileException e) {
                // read at start a moment ago: the next check reads it again
                seen = null;
            }
        }
    }

    public RoutingTable current() {
        return table;
    }

    /** Why the file's present content is not the table in force; null when it is. */
    public String refused() {
        return refused;
    }

    public long applied() {
        return applied.get();
    }

    public long refusals() {
        return refusals.get();
    }

    /** Reads the routing file again when its content changed, and applies it if it validates. */
    public synchronized void check() {
        if (file == null) {
            return;
        }
        byte[] content;
        try {
            content = RoutingFile.read(file);
        } catch (RoutingFileException e) {
            refuse(null, e);
            return;
        }
        byte[] digest = digest(content);
        if (Arrays.equals(digest, seen)) {
            return;
        }
        seen = digest;
        try {
            RoutingTable next = parse(content);
            table = next;
            refused = null;
            applied.incrementAndGet();
            LOG.info("routing: {} changed; its {} rules are in force now", LogText.oneLine(file.toString()),
                    next.rules().size());
        } catch (RoutingFileException e) {
            refuse(digest, e);
        }
    }

    /** A failure of the parser itself is a refusal too: the check must go on for the next edit. */
    private RoutingTable parse(byte[] content) throws RoutingFileException {
        try {
            return RoutingFile.parse(file, content, relays);
        } catch (RuntimeException | StackOverflowError e) {
            throw new RoutingFileException(file, 0, "could not be read as a routing table ("
                                                    + e.getClass().getSimpleName() + ")");
        }
    }

    private void refuse(byte[] digest, RoutingFileException e) {
        String reason = LogText.oneLine(e.getMessage(), 500);
        if (reason.equals(refused)) {
            return; // said once already (a file that cannot be read is read at every check)
        }
        seen = digest;
        refused = reason;
        refusals.incrementAndGet();
        LOG.warn("routing: refused {}; the table in force stays ({} rules from {}) until the file is mended",
                reason, table.rules().size(), LogText.oneLine(table.source()));
    }

    private static byte[] digest(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
