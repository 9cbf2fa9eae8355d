package dev.mailroute.ingress.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.mailroute.files.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inbox files whose message is on the queue but which could not be deleted, even after the waits
 * {@link Platform} gives a lock (an antivirus or indexing service holding the file, a folder that
 * lets mailroute read but not delete). Taking such a file again at the next poll would send its
 * mail twice, so it is remembered by its path, size and time of last change, and not taken again
 * while it is unchanged; at every poll one more delete is tried, without waiting. A file of that
 * name whose size or time differs is a new file, and is taken.
 *
 * <p>Renaming the file aside instead would not help: on Windows a rename needs the same access as a
 * delete, and a folder that refuses one refuses the other. The memory is this process's: a restart
 * before the file is gone takes it again, which the log line says.
 */
public final class UndeletedFiles {

    private static final Logger LOG = LoggerFactory.getLogger(UndeletedFiles.class);

    /** Files remembered at most; beyond, the longest remembered is forgotten (and would be taken again). */
    private static final int REMEMBERED = 10_000;

    private record Stamp(long size, FileTime modified, String shownAs) {
    }

    private final Map<Path, Stamp> files = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, Stamp> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** After the last try: the file's message is queued, the file stays. Logged once per file. */
    void remember(Path file, String shownAs, IOException why) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException gone) {
            return;
        } catch (IOException e) {
            // cannot be looked at: the inbox's filter cannot take it either
            attributes = null;
        }
        synchronized (files) {
            files.put(file, attributes == null ? new Stamp(-1, null, shownAs)
                    : new Stamp(attributes.size(), attributes.lastModifiedTime(), shownAs));
        }
        LOG.warn("inbox: {} cannot be deleted ({}), but its message is queued: it is not taken again while it is"
                 + " unchanged, and mailroute tries to delete it at every poll. If it stays, delete it by hand before"
                 + " mailroute restarts, which would take it again.", shownAs, why.getClass().getSimpleName());
    }

    /**
     * Whether this is a file already taken: then one more delete is tried, and it is not to be taken again.
     *
     * @param attributes the file's, as the inbox's filter just read them
     */
    boolean alreadyTaken(Path file, BasicFileAttributes attributes) {
        Stamp stamp;
        synchronized (files) {
            stamp = files.get(file);
        }
        if (stamp == null) {
            return false;
        }
        if (stamp.size() >= 0 && (stamp.size() != attributes.size()
                                  || !stamp.modified().equals(attributes.lastModifiedTime()))) {
            forget(file);
            return false; // a new file under the old name
        }
        if (Platform.current().deleteNow(file)) {
            forget(file);
            LOG.info("inbox: {} is deleted at last", stamp.shownAs());
        }
        return true;
    }

    /** How many are remembered now: a gauge, for an operator to see files that stay. */
    public int count() {
        synchronized (files) {
            return files.size();
        }
    }

    private void forget(Path file) {
        synchronized (files) {
            files.remove(file);
        }
    }
}
