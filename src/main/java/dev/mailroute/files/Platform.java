package dev.mailroute.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where mailroute's file operations meet what the operating system refuses — the
 * seam through which the tests, on Linux, play Windows:
 * <ul>
 * <li><b>Folder sync.</b> After a rename, Linux needs the folder synced for the rename to survive a
 *     power loss; Windows cannot open a folder as a file at all ({@code AccessDeniedException}, the
 *     same bug Kafka, Lucene and Elasticsearch met) and NTFS journals the rename itself. So the
 *     folder is synced where the platform can, skipped on Windows (said once), and a folder that
 *     cannot be opened never fails the write: the file is already in place, and failing then would
 *     make a pickup delivery be written — and sent — again at every retry.</li>
 * <li><b>Renames that meet a lock.</b> Antivirus and indexing services open new files for a moment;
 *     a rename or delete then fails with a sharing violation. Those are tried again, a few times
 *     with a growing wait (about 1.5 s in all), counted, and logged once per file.</li>
 * <li><b>Files still being written.</b> .NET's {@code SmtpClient} and IIS write a pickup file in
 *     place; on Windows the writer holds it open without sharing, so a file that cannot be opened
 *     for reading and writing is still someone's. (Everywhere, the inbox also waits until a file has
 *     been unchanged for {@code mailroute.inbox.minAge}.)</li>
 * <li><b>Renames that cannot be atomic</b> (another volume) are never done as a copy: the error
 *     says so, with both folders. Start-up and doctor ask {@link #sameVolume} first ({@link SameVolume}).</li>
 * <li><b>Deletes</b> meet the same locks: an inbox file's delete after its message is queued goes
 *     through {@link #delete(Path, String)} too, and one that still fails is tried again later with
 *     {@link #deleteNow}, without waiting.</li>
 * </ul>
 */
public class Platform {

    private static final Logger LOG = LoggerFactory.getLogger(Platform.class);
    /** Waits before the second to fifth try of an operation that met a lock. */
    private static final long[] WAITS_MILLIS = {50, 100, 200, 400, 800};

    private static volatile Platform current = new Platform(System.getProperty("os.name", "")
            .toLowerCase(Locale.ROOT).startsWith("windows"));

    private static final AtomicLong RETRIES = new AtomicLong();
    private static final AtomicBoolean SYNC_SKIP_SAID = new AtomicBoolean();
    private static final AtomicBoolean SYNC_FAILURE_SAID = new AtomicBoolean();

    private final boolean windows;

    protected Platform(boolean windows) {
        this.windows = windows;
    }

    public static Platform current() {
        return current;
    }

    /** For tests: this platform until the returned handle is closed (then the real one again). */
    public static AutoCloseable use(Platform platform) {
        Platform before = current;
        current = platform;
        return () -> current = before;
    }

    /** Operations tried again because a file was locked, since start. */
    public static long retries() {
        return RETRIES.get();
    }

    public boolean windows() {
        return windows;
    }

    /**
     * Makes a rename in this folder durable where the platform can; never throws. Skipped on
     * Windows; a folder that cannot be opened is logged once.
     */
    public void syncFolder(Path folder) {
        if (windows) {
            if (SYNC_SKIP_SAID.compareAndSet(false, true)) {
                LOG.info("folders are not synced after a rename on Windows (it cannot open a folder; NTFS journals"
                         + " the rename)");
            }
            return;
        }
        try (FileChannel channel = openFolder(folder)) {
            channel.force(true);
        } catch (IOException e) {
            if (SYNC_FAILURE_SAID.compareAndSet(false, true)) {
                LOG.warn("cannot sync the folder {} after a rename ({}); the file is in place, but a power loss"
                         + " right now could undo the rename. Said once.", folder, e.toString());
            }
        }
    }

    /** Renames {@code from} to {@code to} in one atomic step, replacing it; tried again while a lock is in the way. */
    public void move(Path from, Path to) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                moveOnce(from, to);
                return;
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot move " + from.getFileName() + " from " + from.getParent() + " to "
                                      + to.getParent() + " in one atomic step (another volume?): mailroute never"
                                      + " copies a file into place, where a reader could see it half written", e);
            } catch (NoSuchFileException | FileAlreadyExistsException e) {
                throw e;
            } catch (FileSystemException e) {
                if (!waitForLock(e, from.toString(), attempt)) {
                    throw e;
                }
            }
        }
    }

    /** Deletes the file if it is there; tried again while a lock is in the way. */
    public void delete(Path file) throws IOException {
        delete(file, file.toString());
    }

    /**
     * The same, for a file whose name came from outside.
     *
     * @param shownAs the file as the log may show it (escaped by the caller, who knows where the name came from)
     */
    public void delete(Path file, String shownAs) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                deleteOnce(file);
                return;
            } catch (NoSuchFileException e) {
                return;
            } catch (FileSystemException e) {
                if (!waitForLock(e, shownAs, attempt)) {
                    throw e;
                }
            }
        }
    }

    /**
     * One try at deleting the file, without waiting: for a file already tried in vain, tried again
     * at a later moment rather than waited for now.
     *
     * @return whether the file is gone
     */
    public boolean deleteNow(Path file) {
        try {
            deleteOnce(file);
            return true;
        } catch (NoSuchFileException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether a file can be renamed from one folder into the other in one step: both on the same
     * volume (file store). Each folder, or the nearest folder above it that exists, is asked.
     *
     * @throws IOException when a folder's volume cannot be found out
     */
    public boolean sameVolume(Path a, Path b) throws IOException {
        return store(existing(a)).equals(store(existing(b)));
    }

    /** The volume a path is on; a test overrides it to put two folders on different volumes. */
    protected FileStore store(Path path) throws IOException {
        return Files.getFileStore(path);
    }

    private static Path existing(Path path) {
        Path at = path.toAbsolutePath().normalize();
        while (at.getParent() != null && !Files.exists(at)) {
            at = at.getParent();
        }
        return at;
    }

    /**
     * Whether another process still holds the file open for writing: on Windows, when it cannot be
     * opened for reading and writing (a sharing violation). Linux has no such lock to ask about.
     */
    public boolean heldByAWriter(Path file) {
        if (!windows) {
            return false;
        }
        try (FileChannel probe = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return false;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** The real rename; a test overrides it to meet a lock. */
    protected void moveOnce(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    protected void deleteOnce(Path file) throws IOException {
        Files.delete(file);
    }

    /** The real open of a folder as a file; a test overrides it to refuse, as Windows does. */
    protected FileChannel openFolder(Path folder) throws IOException {
        return FileChannel.open(folder, StandardOpenOption.READ);
    }

    /** Whether to try again: a lock (sharing violation, access denied for a moment) and tries left. */
    private boolean waitForLock(FileSystemException e, String file, int attempt) throws IOException {
        boolean lock = e instanceof AccessDeniedException || String.valueOf(e.getReason()).toLowerCase(Locale.ROOT)
                .matches(".*(used by another process|sharing violation|locked|busy).*");
        if (!lock || attempt >= WAITS_MILLIS.length) {
            return false;
        }
        RETRIES.incrementAndGet();
        if (attempt == 0) {
            LOG.warn("{} is locked by another process ({}); trying again for up to 1.5 s", file, e.getReason());
        }
        try {
            Thread.sleep(WAITS_MILLIS[attempt]);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw e;
        }
        return true;
    }
}
