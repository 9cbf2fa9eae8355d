package dev.mailroute.accept;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import dev.mailroute.files.AtomicFile;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The client keys (JSON {@code id}, HTTP {@code Idempotency-Key}) of accepted messages, kept for
 * {@code mailroute.idempotency.retention} and across restarts, for Camel's idempotent consumer EIP
 * in {@code routes/accept.yaml}.
 *
 * <p>The EIP runs eager: {@link #add} claims a key before the message is queued, so a second
 * request with the same key arriving meanwhile is a duplicate; {@link #remove} gives the claim
 * back if queueing fails; {@link #confirm} records the key durably (an fsync'ed line in the keys
 * file) once the message is on the queue — after the commit, when a JMS transaction is open. The
 * file is compacted at start and whenever most of its lines have expired.
 */
public final class IdempotencyKeys extends ServiceSupport implements IdempotentRepository {

    private static final int COMPACT_AFTER_LINES = 10_000;

    private final Path file;
    private final long retentionMillis;
    private final Clock clock;
    private final Map<String, Claim> keys = new ConcurrentHashMap<>();
    private FileChannel log;
    private int linesSinceCompaction;

    public IdempotencyKeys(Path file, long retentionMillis) {
        this(file, retentionMillis, Clock.systemUTC());
    }

    IdempotencyKeys(Path file, long retentionMillis, Clock clock) {
        this.file = file;
        this.retentionMillis = retentionMillis;
        this.clock = clock;
    }

    @Override
    protected synchronized void doStart() throws IOException {
        keys.clear();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                int space = line.indexOf(' ');
                if (space > 0) {
                    try {
                        long at = Long.parseLong(line.substring(0, space));
                        String key = new String(Base64.getUrlDecoder().decode(line.substring(space + 1)),
                                StandardCharsets.UTF_8);
                        keys.put(key, new Claim(at, true));
                    } catch (IllegalArgumentException e) {
                        // a line torn by a crash mid-write: that key was never confirmed
                    }
                }
            }
        }
        compact();
    }

    @Override
    protected synchronized void doStop() throws IOException {
        if (log != null) {
            log.close();
            log = null;
        }
    }

    /** When a key was claimed, and whether its message made it onto the queue. */
    private record Claim(long at, boolean confirmed) {
    }

    @Override
    public boolean add(String key) {
        long now = clock.millis();
        Claim claim = new Claim(now, false);
        Claim previous = keys.putIfAbsent(key, claim);
        if (previous == null) {
            return true;
        }
        if (expired(previous, now)) {
            return keys.replace(key, previous, claim);
        }
        return false;
    }

    @Override
    public boolean contains(String key) {
        Claim claim = keys.get(key);
        return claim != null && !expired(claim, clock.millis());
    }

    @Override
    public boolean remove(String key) {
        return keys.remove(key) != null;
    }

    /**
     * Inside a JMS transaction (the mail.submit consumer, an HTTP batch) the key is recorded only
     * once that transaction commits; a rollback frees it, so a retry is not taken for a duplicate
     * of a message that never reached the queue.
     */
    @Override
    public boolean confirm(String key) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    if (status == STATUS_COMMITTED) {
                        record(key);
                    } else {
                        remove(key);
                    }
                }
            });
            return true;
        }
        return record(key);
    }

    private synchronized boolean record(String key) {
        Claim claim = keys.get(key);
        if (claim == null) {
            return false;
        }
        if (claim.confirmed()) {
            return true; // a duplicate's completion: the key is on disk already
        }
        keys.put(key, new Claim(claim.at(), true));
        try {
            log.write(ByteBuffer.wrap(line(key, claim.at()).getBytes(StandardCharsets.US_ASCII)));
            log.force(false);
            if (++linesSinceCompaction > Math.max(COMPACT_AFTER_LINES, keys.size())) {
                compact();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record idempotency key in " + file, e);
        }
        return true;
    }

    @Override
    public synchronized void clear() {
        keys.clear();
        try {
            compact();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int size() {
        return keys.size();
    }

    private boolean expired(Claim claim, long now) {
        return now - claim.at() > retentionMillis;
    }

    /** Rewrites the file with the live, confirmed keys only, atomically, and reopens it for appending. */
    private void compact() throws IOException {
        long now = clock.millis();
        keys.values().removeIf(claim -> claim.confirmed() && expired(claim, now));
        if (log != null) {
            log.close();
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        String lines = keys.entrySet().stream().filter(e -> e.getValue().confirmed())
                .map(e -> line(e.getKey(), e.getValue().at())).collect(Collectors.joining());
        // the keys say which requests were sent: mailroute's user's to read only
        AtomicFile.write(file, lines.getBytes(StandardCharsets.US_ASCII), true, AtomicFile.OWNER_ONLY);
        log = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        linesSinceCompaction = 0;
    }

    private static String line(String key, long at) {
        return at + " " + Base64.getUrlEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8)) + "\n";
    }
}
