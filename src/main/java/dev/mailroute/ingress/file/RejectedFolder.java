package dev.mailroute.ingress.file;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import dev.mailroute.accept.Problem;
import dev.mailroute.accept.RejectedMessageException;
import dev.mailroute.files.AtomicFile;
import dev.mailroute.files.FileModes;
import dev.mailroute.message.Handover;
import dev.mailroute.observability.LogText;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a rejected inbox file: its original bytes, unchanged, in {@code rejected/} (the folder and
 * its files are mailroute's user's only, {@link FileModes#PRIVATE}, made again so if removed), and
 * beside it {@code <name>.error.txt} with every problem found. A name that is already taken gets a
 * counter ({@code hello-2.json}), so an earlier rejection is never overwritten; a name too long to take the {@code .error.txt} beside it, or with control characters
 * or bytes that are not UTF-8 in it, is shortened or cleaned ({@link FileNames#safe}), and the
 * reason file says so and quotes the original name escaped. What is not a regular file (a symbolic
 * link, a FIFO) is moved aside itself, never read.
 */
public final class RejectedFolder {

    private static final Logger LOG = LoggerFactory.getLogger(RejectedFolder.class);

    /** Bytes a file name may have on the file systems mailroute runs on. */
    private static final int MAX_NAME_BYTES = 255;
    private static final String REASON_SUFFIX = ".error.txt";
    /** Counters beyond this take a random suffix of the same width instead. */
    private static final int MAX_COUNTER = 99_999;
    /**
     * Room left for the longest file written for it: the reason file while it is written,
     * {@code .<name>-99999.error.txt.part} (see AtomicFile).
     */
    private static final int MAX_KEPT_NAME_BYTES = MAX_NAME_BYTES - ".".length() - "-99999".length()
                                                   - REASON_SUFFIX.length() - ".part".length();

    private final Path folder;

    public RejectedFolder(Path folder) {
        this.folder = folder;
    }

    /** The route's step for a file the accept stage refused: copied here, read without following links. */
    public void keep(Exchange exchange) throws IOException {
        Path original = Path.of(exchange.getMessage().getHeader(Exchange.FILE_PATH, String.class));
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        List<Problem> problems = cause instanceof RejectedMessageException rejected
                ? rejected.problems()
                : List.of(new Problem("$", String.valueOf(cause)));
        Path copy = keep(original, problems, exchange.getProperty(Handover.INGRESS, "file", String.class));
        LOG.warn("rejected {}: {} (kept as {}, reason in {})", FileNames.escaped(original.getFileName().toString()),
                cause == null ? "" : LogText.oneLine(cause.getMessage()), copy, copy.getFileName() + REASON_SUFFIX);
    }

    /**
     * Copies the file here with its reason beside it.
     *
     * @return the copy; its reason is {@code <copy>.error.txt}
     */
    public Path keep(Path original, List<Problem> problems, String ingress) throws IOException {
        byte[] name = original.getFileName().toString().getBytes(StandardCharsets.UTF_8);
        FileModes.PRIVATE.createFolder(folder);
        Kept kept = reserve(name);
        // synced: the inbox file is deleted once this returns, and this is its only copy
        try (InputStream bytes = Files.newInputStream(original, LinkOption.NOFOLLOW_LINKS)) {
            AtomicFile.write(kept.file(), bytes, true, AtomicFile.OWNER_ONLY);
        }
        // last: whoever sees a reason file finds the file it explains beside it
        writeReason(kept, name, problems, ingress);
        return kept.file();
    }

    /**
     * Moves a file that must not be read (a link, a FIFO, a device) out of the inbox as it is.
     *
     * @return false when it could not be moved (another file system): the caller logs it once
     */
    boolean moveAside(Path original, String reason) {
        return moveAside(original, original.getFileName().toString().getBytes(StandardCharsets.UTF_8), reason);
    }

    /**
     * Moves a file out of the inbox as it is, unread.
     *
     * @param original the file; for a name this JVM cannot decode, the path a directory listing gave,
     *                 which holds the name's bytes (its text form would name another file)
     * @param name     the file name's bytes, as the file system has them
     * @return false when it could not be moved (another file system): the caller logs it once
     */
    boolean moveAside(Path original, byte[] name, String reason) {
        try {
            FileModes.PRIVATE.createFolder(folder);
        } catch (IOException e) {
            return false;
        }
        Kept kept = reserve(name);
        try {
            Files.move(original, kept.file(), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            return false;
        }
        try {
            // last, as in keep: whoever sees a reason file finds the file it explains beside it
            writeReason(kept, name, List.of(new Problem("$", reason)), "file");
            LOG.warn("rejected {}: {} (moved to {}, reason in {})", FileNames.escaped(name), reason, kept.file(),
                    kept.reason().getFileName());
        } catch (IOException e) {
            LOG.warn("rejected {}: {} (moved to {}; its reason file could not be written: {})", FileNames.escaped(name),
                    reason, kept.file(), LogText.oneLine(e.toString()));
        }
        return true;
    }

    /** Where a rejected file and its reason go, and what had to be changed about its name. */
    private record Kept(Path file, Path reason, boolean renamed) {
    }

    private Kept reserve(byte[] name) {
        String safe = FileNames.safe(name, MAX_KEPT_NAME_BYTES);
        int dot = safe.lastIndexOf('.');
        String base = dot > 0 ? safe.substring(0, dot) : safe;
        String extension = dot > 0 ? safe.substring(dot) : "";
        Path candidate = folder.resolve(safe);
        for (int n = 2; Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)
                        || Files.exists(folder.resolve(candidate.getFileName() + REASON_SUFFIX)); n++) {
            if (n > MAX_COUNTER) {
                // never reached in practice; a name beyond the room left for the counter would not fit
                candidate = folder.resolve(base + "-" + UUID.randomUUID().toString().substring(0, 5) + extension);
                break;
            }
            candidate = folder.resolve(base + "-" + n + extension);
        }
        return new Kept(candidate, folder.resolve(candidate.getFileName() + REASON_SUFFIX),
                !Arrays.equals(safe.getBytes(StandardCharsets.UTF_8), name));
    }

    private void writeReason(Kept kept, byte[] name, List<Problem> problems, String ingress) throws IOException {
        StringBuilder text = new StringBuilder();
        text.append("mailroute rejected ").append(FileNames.escaped(name)).append(" (ingress ").append(ingress)
                .append(") at ").append(Instant.now()).append('\n');
        if (kept.renamed()) {
            text.append("Its name was too long, or had control characters or bytes that are not UTF-8 in it;"
                        + " it is kept as ").append(kept.file().getFileName()).append('\n');
        }
        text.append(problems.size() == 1 ? "1 problem:\n" : problems.size() + " problems:\n");
        for (Problem problem : problems) {
            text.append("- ").append(LogText.oneLine(problem.toString())).append('\n');
        }
        text.append("Fix the request and drop it into the inbox again.\n");
        AtomicFile.write(kept.reason(), text.toString().getBytes(StandardCharsets.UTF_8), true, AtomicFile.OWNER_ONLY);
    }
}
