package dev.mailroute.ingress.file;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;

import dev.mailroute.accept.Problem;
import dev.mailroute.accept.RejectedMessageException;
import dev.mailroute.files.AtomicFile;
import dev.mailroute.message.Handover;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a rejected inbox file: its original bytes, unchanged, in {@code rejected/} (readable by
 * mailroute's user only), and beside it {@code <name>.error.txt} with every problem found. A name
 * that is already taken gets a counter ({@code hello-2.json}), so an earlier rejection is never
 * overwritten; a name too long to take the {@code .error.txt} beside it, or with control characters
 * in it, is shortened or cleaned, and the reason file says so. What is not a regular file (a
 * symbolic link, a FIFO) is moved aside itself, never read.
 */
public final class RejectedFolder {

    private static final Logger LOG = LoggerFactory.getLogger(RejectedFolder.class);

    /** Bytes a file name may have on the file systems mailroute runs on. */
    private static final int MAX_NAME_BYTES = 255;
    private static final String REASON_SUFFIX = ".error.txt";
    /** Room left for "-NNN" and ".error.txt". */
    private static final int MAX_KEPT_NAME_BYTES = MAX_NAME_BYTES - REASON_SUFFIX.length() - 8;

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
        Kept kept = reserve(original.getFileName().toString());
        // synced: the inbox file is deleted once this returns, and this is its only copy
        writeReason(kept, original.getFileName().toString(), problems,
                exchange.getProperty(Handover.INGRESS, "file", String.class));
        try (InputStream bytes = Files.newInputStream(original, LinkOption.NOFOLLOW_LINKS)) {
            AtomicFile.write(kept.file(), bytes, true, AtomicFile.OWNER_ONLY);
        }
        LOG.warn("rejected {}: {} (kept as {}, reason in {})", printable(original.getFileName().toString()),
                cause == null ? "" : oneLine(cause.getMessage()), kept.file(), kept.reason().getFileName());
    }

    /**
     * Moves a file that must not be read (a link, a FIFO, a device) out of the inbox as it is.
     *
     * @return false when it could not be moved (another file system): the caller logs it once
     */
    boolean moveAside(Path original, String reason) {
        Kept kept = reserve(original.getFileName().toString());
        try {
            writeReason(kept, original.getFileName().toString(), List.of(new Problem("$", reason)), "file");
            Files.move(original, kept.file(), StandardCopyOption.ATOMIC_MOVE);
            LOG.warn("rejected {}: {} (moved to {}, reason in {})", printable(original.getFileName().toString()),
                    reason, kept.file(), kept.reason().getFileName());
            return true;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(kept.reason());
            } catch (IOException ignored) {
                // the reason file stays; it says what happened
            }
            return false;
        }
    }

    /** Where a rejected file and its reason go, and what had to be changed about its name. */
    private record Kept(Path file, Path reason, String renamed) {
    }

    private Kept reserve(String name) {
        String safe = safeName(name);
        int dot = safe.lastIndexOf('.');
        String base = dot > 0 ? safe.substring(0, dot) : safe;
        String extension = dot > 0 ? safe.substring(dot) : "";
        Path candidate = folder.resolve(safe);
        for (int n = 2; Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)
                        || Files.exists(folder.resolve(candidate.getFileName() + REASON_SUFFIX)); n++) {
            candidate = folder.resolve(base + "-" + n + extension);
        }
        return new Kept(candidate, folder.resolve(candidate.getFileName() + REASON_SUFFIX),
                safe.equals(name) ? null : safe);
    }

    private void writeReason(Kept kept, String name, List<Problem> problems, String ingress) throws IOException {
        StringBuilder text = new StringBuilder();
        text.append("mailroute rejected ").append(printable(name)).append(" (ingress ").append(ingress).append(") at ")
                .append(Instant.now()).append('\n');
        if (kept.renamed() != null) {
            text.append("Its name was too long or had control characters in it; it is kept as ")
                    .append(kept.file().getFileName()).append('\n');
        }
        text.append(problems.size() == 1 ? "1 problem:\n" : problems.size() + " problems:\n");
        for (Problem problem : problems) {
            text.append("- ").append(oneLine(problem.toString())).append('\n');
        }
        text.append("Fix the request and drop it into the inbox again.\n");
        AtomicFile.write(kept.reason(), text.toString().getBytes(StandardCharsets.UTF_8), true, AtomicFile.OWNER_ONLY);
    }

    /** The name without control characters, and short enough for a counter and ".error.txt" beside it. */
    static String safeName(String name) {
        String clean = name.replaceAll("\\p{Cntrl}", "_");
        if (clean.getBytes(StandardCharsets.UTF_8).length <= MAX_KEPT_NAME_BYTES) {
            return clean;
        }
        int dot = clean.lastIndexOf('.');
        String extension = dot > 0 && clean.length() - dot <= 10 ? clean.substring(dot) : "";
        String hash = String.format("%08x", clean.hashCode());
        StringBuilder shortened = new StringBuilder();
        for (int i = 0; i < clean.length(); i = clean.offsetByCodePoints(i, 1)) {
            String next = clean.substring(i, clean.offsetByCodePoints(i, 1));
            if ((shortened + next + "~" + hash + extension).getBytes(StandardCharsets.UTF_8).length > MAX_KEPT_NAME_BYTES) {
                break;
            }
            shortened.append(next);
        }
        return shortened + "~" + hash + extension;
    }

    /** A file name as it may appear in a log line: control characters shown, never executed. */
    static String printable(String name) {
        StringBuilder out = new StringBuilder();
        name.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\x%02x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("[\\r\\n]+", " ");
    }
}
