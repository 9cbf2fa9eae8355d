package dev.mailroute.ingress.file;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import dev.mailroute.accept.RejectedMessageException;
import dev.mailroute.message.InFlightBytes;
import dev.mailroute.observability.MailEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import dev.mailroute.files.Platform;
import org.apache.camel.Exchange;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the inbox takes: regular files only, judged without following links ({@code NOFOLLOW_LINKS},
 * not by name). The inbox's filter ({@code filter: "#inboxFiles"}) moves a symbolic link, a FIFO or
 * a device into {@code rejected/} as it is, with its reason, without reading it — a link could point
 * at any file the process may read, a FIFO would block the reader forever.
 *
 * <p>A name whose bytes are not valid in the system's file name encoding (UTF-8 under a UTF-8
 * locale) reaches Camel with U+FFFD in place of those bytes, a name that addresses no file. Such a
 * file is found again in a directory listing, whose paths keep the name's bytes, and moved into
 * {@code rejected/} by those bytes, with a reason that shows them. What cannot be moved at all (a
 * file on another file system) is logged once, with its name's bytes in hex, counted in
 * {@code mailroute_inbox_undecodable_names_total{outcome="left"}}, and left alone; it never slows
 * the inbox, and is never retried into the log.
 *
 * <p>{@link #open} then reads the file it took without following a link either, so a file swapped
 * for a link after the filter looked is refused, not followed.
 */
public final class InboxFiles implements GenericFileFilter<File> {

    private static final Logger LOG = LoggerFactory.getLogger(InboxFiles.class);

    /**
     * The names the inbox takes: the same as the route's {@code include}, which Camel applies only
     * after this filter. A link or FIFO under another name is not the inbox's to move.
     */
    private static final Pattern TAKEN = Pattern.compile("(?is).*\\.(json|eml)");

    /** The charset the JVM decodes file names with: sun.jnu.encoding, which follows the locale (LANG, LC_ALL). */
    private static final Charset FILE_NAME_ENCODING = fileNameEncoding();

    /** Names already logged; bounded, so a folder full of them cannot grow it without end. */
    private static final int REMEMBERED = 10_000;

    private final RejectedFolder rejected;
    private final UndeletedFiles undeleted;
    private final InFlightBytes inFlight;
    private final MailEvents events;
    private final long minAgeMillis;
    private final Counter undecodableRejected;
    private final Counter undecodableLeft;
    private final Set<String> logged = Collections.newSetFromMap(new LinkedHashMap<String, Boolean>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    });

    public InboxFiles(RejectedFolder rejected, UndeletedFiles undeleted, InFlightBytes inFlight, MailEvents events,
                      MeterRegistry meters, long minAgeMillis) {
        this.minAgeMillis = minAgeMillis;
        this.undeleted = undeleted;
        this.inFlight = inFlight;
        this.rejected = rejected;
        this.events = events;
        this.undecodableRejected = undecodable(meters, "rejected");
        this.undecodableLeft = undecodable(meters, "left");
    }

    private static Counter undecodable(MeterRegistry meters, String outcome) {
        return Counter.builder("mailroute.inbox.undecodable.names").tag("outcome", outcome)
                .description("inbox files whose names are not valid in the file name encoding: moved into the"
                             + " rejected folder, or left where they are because they could not be moved")
                .register(meters);
    }

    @Override
    public boolean accept(GenericFile<File> file) {
        Path path = file.getFile().toPath();
        String name = file.getFileNameOnly();
        if (!TAKEN.matcher(name).matches()) {
            return false;
        }
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            // listed, but not there by this name: its bytes did not decode, or it vanished since
            moveUndecodable(path.getParent(), name);
            return false;
        } catch (IOException e) {
            logOnce(FileNames.escaped(name), "it cannot be looked at (" + e + ")");
            return false;
        }
        if (undeleted.alreadyTaken(path, attributes)) {
            return false; // its message is queued; only its delete failed
        }
        if (attributes.isDirectory()) {
            logOnce(FileNames.escaped(name), "it is a folder; the inbox takes files only");
            return false;
        }
        if (!attributes.isRegularFile()) {
            String what = notRegular(attributes);
            if (moveAside(path, name.getBytes(StandardCharsets.UTF_8), "is " + what + "; drop the file itself"
                                                                      + " into the inbox")) {
                return false;
            }
            logOnce(FileNames.escaped(name), "it is " + what + ", and it cannot be moved into the rejected folder");
            return false;
        }
        // changed since minAge: left for a later poll. Camel's read lock ("changed") would take it too
        // once it had rested, but by sleeping in the poll thread, in steps of readLockCheckInterval,
        // while the poll's files wait for it; measured, the inbox thread spent most of a busy bench
        // run asleep so. A file older than minAge passes that lock on its first look.
        if (young(attributes)) {
            return false;
        }
        // a writer that writes in place (.NET, IIS) and still holds the file: the next poll looks again
        return !Platform.current().heldByAWriter(path);
    }

    private boolean young(BasicFileAttributes attributes) {
        return minAgeMillis > 0 && attributes.lastModifiedTime().toMillis() >= System.currentTimeMillis() - minAgeMillis;
    }

    private static String notRegular(BasicFileAttributes attributes) {
        return attributes.isSymbolicLink() ? "a symbolic link (the inbox never follows links)"
                : "not a regular file (a FIFO, a device or a socket)";
    }

    /**
     * Finds the files Camel listed as {@code decoded} by their real names' bytes, and moves each into
     * the rejected folder: no one can open it by the name Camel has, so it would lie in the inbox
     * forever.
     */
    private void moveUndecodable(Path folder, String decoded) {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(folder)) {
            for (Path entry : listing) {
                if (entry.getFileName().toString().equals(decoded)
                    && !Arrays.equals(rawName(entry), decoded.getBytes(FILE_NAME_ENCODING))) {
                    entries.add(entry);
                }
            }
        } catch (IOException e) {
            LOG.warn("inbox: cannot list {} ({}); files in it whose names are not {} stay where they are", folder,
                    e.getMessage(), FILE_NAME_ENCODING);
            return;
        }
        for (Path entry : entries) {
            byte[] raw = rawName(entry);
            String escaped = FileNames.escaped(raw);
            if (logged(escaped)) {
                continue; // it could not be moved before, and said so
            }
            String what;
            try {
                BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                if (attributes.isDirectory()) {
                    continue;
                }
                what = attributes.isRegularFile() ? "" : " It is also " + notRegular(attributes) + ".";
            } catch (IOException vanished) {
                continue;
            }
            String reason = "its name is not valid " + FILE_NAME_ENCODING + " (bytes " + FileNames.hex(raw) + "), so"
                            + " mailroute cannot open it by that name; rename it to a " + FILE_NAME_ENCODING + " name"
                            + " and drop it into the inbox again." + what + decodingAdvice();
            if (moveAside(entry, raw, reason)) {
                undecodableRejected.increment();
            } else if (logOnce(escaped, "its name is not valid " + FILE_NAME_ENCODING + " (bytes " + FileNames.hex(raw)
                                        + "), and it cannot be moved into the rejected folder; rename it"
                                        + decodingAdvice())) {
                undecodableLeft.increment();
            }
        }
    }

    private boolean moveAside(Path path, byte[] name, String reason) {
        if (!rejected.moveAside(path, name, reason)) {
            return false;
        }
        events.rejected("file", reason);
        return true;
    }

    private static Charset fileNameEncoding() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding"));
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }

    private static String decodingAdvice() {
        return FILE_NAME_ENCODING.equals(StandardCharsets.UTF_8) ? ""
                : " (mailroute reads file names as " + FILE_NAME_ENCODING + " because of the system's locale; run it"
                  + " with a UTF-8 locale, e.g. LANG=C.UTF-8, to take UTF-8 names)";
    }

    /**
     * The bytes of a listed file's name. A path from a directory listing keeps them; its URI shows
     * them percent-encoded (its string form would show U+FFFD instead).
     */
    private static byte[] rawName(Path entry) {
        String uri = entry.toUri().getRawPath();
        String last = uri.substring(uri.lastIndexOf('/', uri.length() - 2) + 1);
        if (last.endsWith("/")) {
            last = last.substring(0, last.length() - 1);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(last.length());
        for (int i = 0; i < last.length(); i++) {
            char c = last.charAt(i);
            if (c == '%' && i + 2 < last.length()) {
                bytes.write(HexFormat.fromHexDigits(last, i + 1, i + 3));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return bytes.toByteArray();
    }

    /**
     * The route's first step: the body is the file, opened without following a link. The file first
     * waits for room in memory ({@link InFlightBytes}; it is read whole), held until its exchange is
     * done.
     */
    public void open(Exchange exchange) throws RejectedMessageException, InterruptedException {
        Path path = Path.of(exchange.getMessage().getHeader(Exchange.FILE_PATH, String.class));
        Long length = exchange.getMessage().getHeader(Exchange.FILE_LENGTH, Long.class);
        exchange.setProperty(InboxTransaction.ROOM, inFlight.takeUntilDone(exchange, length == null ? 0 : length));
        try {
            exchange.getMessage().setBody(Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw new RejectedMessageException("$", "cannot be read (" + e.getMessage() + "); the inbox reads"
                                                    + " regular files only and never follows links");
        }
    }

    private boolean logged(String escapedName) {
        synchronized (logged) {
            return logged.contains(escapedName);
        }
    }

    /** @return whether this was the first time */
    private boolean logOnce(String escapedName, String why) {
        boolean first;
        synchronized (logged) {
            first = logged.add(escapedName);
        }
        if (first) {
            LOG.warn("inbox: skipping {}: {}", escapedName, why);
        }
        return first;
    }
}
