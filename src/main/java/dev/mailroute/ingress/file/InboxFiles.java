package dev.mailroute.ingress.file;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import dev.mailroute.accept.RejectedMessageException;
import dev.mailroute.message.InFlightBytes;
import org.apache.camel.Exchange;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the inbox takes: regular files only, judged without following links ({@code NOFOLLOW_LINKS},
 * not by name). The inbox's filter ({@code filter: "#inboxFiles"}) moves a symbolic link, a FIFO or
 * a device into {@code rejected/} as it is, with its reason, without reading it — a link could point
 * at any file the process may read, a FIFO would block the reader forever. What cannot be moved
 * (a folder, a name this JVM cannot address because it is not valid in the system's file name
 * encoding, a file on another file system) is logged once and left alone; it never slows the
 * inbox, and is never retried into the log.
 *
 * <p>{@link #open} then reads the file it took without following a link either, so a file swapped
 * for a link after the filter looked is refused, not followed.
 */
public final class InboxFiles implements GenericFileFilter<File> {

    private static final Logger LOG = LoggerFactory.getLogger(InboxFiles.class);

    /** Names already logged; bounded, so a folder full of them cannot grow it without end. */
    private static final int REMEMBERED = 10_000;

    private final RejectedFolder rejected;
    private final InFlightBytes inFlight;
    private final Set<String> logged = Collections.newSetFromMap(new LinkedHashMap<String, Boolean>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    });

    public InboxFiles(RejectedFolder rejected, InFlightBytes inFlight) {
        this.inFlight = inFlight;
        this.rejected = rejected;
    }

    @Override
    public boolean accept(GenericFile<File> file) {
        Path path = file.getFile().toPath();
        String name = file.getFileNameOnly();
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            // listed but not there by this name: bytes that are not valid in the file name encoding
            logOnce(name, "its name cannot be read in this system's file name encoding (run mailroute with a"
                          + " UTF-8 locale, e.g. LANG=C.UTF-8), or it vanished; rename it");
            return false;
        }
        if (attributes.isDirectory()) {
            logOnce(name, "it is a folder; the inbox takes files only");
            return false;
        }
        if (!attributes.isRegularFile()) {
            String what = attributes.isSymbolicLink() ? "a symbolic link (the inbox never follows links)"
                    : "not a regular file (a FIFO, a device or a socket)";
            if (!rejected.moveAside(path, "is " + what + "; drop the file itself into the inbox")) {
                logOnce(name, "it is " + what + ", and it cannot be moved into the rejected folder");
            }
            return false;
        }
        return true;
    }

    /**
     * The route's first step: the body is the file, opened without following a link. The file first
     * waits for room in memory ({@link InFlightBytes}; it is read whole), held until its exchange is
     * done.
     */
    public void open(Exchange exchange) throws RejectedMessageException, InterruptedException {
        Path path = Path.of(exchange.getMessage().getHeader(Exchange.FILE_PATH, String.class));
        Long length = exchange.getMessage().getHeader(Exchange.FILE_LENGTH, Long.class);
        inFlight.takeUntilDone(exchange, length == null ? 0 : length);
        try {
            exchange.getMessage().setBody(Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw new RejectedMessageException("$", "cannot be read (" + e.getMessage() + "); the inbox reads"
                                                    + " regular files only and never follows links");
        }
    }

    private void logOnce(String name, String why) {
        boolean first;
        synchronized (logged) {
            first = logged.add(name);
        }
        if (first) {
            LOG.warn("inbox: skipping {}: {}", RejectedFolder.printable(name), why);
        }
    }
}
