package dev.mailroute.files;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes a file so that no reader ever sees it half written: as {@code .<name>.part} beside it,
 * then renamed into place in one atomic step. With {@code fsync} the data is on disk before the
 * rename and the rename is on disk before this returns (where the platform can sync a folder:
 * {@link Platform}), so a power loss never leaves a visible but empty file — what the pickup
 * folder, failed/ and rejected/ all need. The temporary file is always in the target's own folder,
 * so the rename never crosses a volume.
 */
public final class AtomicFile {

    /**
     * rw-------: what mailroute keeps for itself (rejected/ and failed/ records, keys, passwords)
     * holds mail or secrets, and is nobody else's to read.
     */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private AtomicFile() {
    }

    /** Replaces an existing file of that name (a redelivery writing the same bytes again); the umask decides the mode. */
    public static void write(Path target, byte[] bytes, boolean fsync) throws IOException {
        writeAs(target, new ByteArrayInputStream(bytes), fsync, null);
    }

    /** @param permissions the new file's mode (on POSIX file systems), or null for the umask's */
    public static void write(Path target, byte[] bytes, boolean fsync, Set<PosixFilePermission> permissions)
            throws IOException {
        write(target, new ByteArrayInputStream(bytes), fsync, permissions);
    }

    /** The same for content of any size, streamed. */
    public static void write(Path target, InputStream content, boolean fsync, Set<PosixFilePermission> permissions)
            throws IOException {
        writeAs(target, content, fsync, permissions == null ? null : new FileModes(null, permissions, null));
    }

    /** @param modes the new file's mode and group (on POSIX file systems), see {@link FileModes} */
    public static void write(Path target, byte[] bytes, boolean fsync, FileModes modes) throws IOException {
        writeAs(target, new ByteArrayInputStream(bytes), fsync, modes);
    }

    private static void writeAs(Path target, InputStream content, boolean fsync, FileModes modes) throws IOException {
        Set<PosixFilePermission> permissions = modes == null ? null : modes.file();
        Path part = part(target);
        boolean mode = permissions != null && posix(target);
        // created with the mode (never readable by others, not even for a moment), and set again
        // for a part file a crash left behind
        FileAttribute<?>[] attributes = mode ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
                : new FileAttribute<?>[0];
        try (FileChannel out = FileChannel.open(part, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING), attributes)) {
            if (mode) {
                // the group before any content: a pickup service of that group reads it once renamed in
                modes.applyToFile(part);
            }
            content.transferTo(Channels.newOutputStream(out));
            if (fsync) {
                out.force(true);
            }
        } catch (IOException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        try {
            Platform.current().move(part, target);
        } catch (IOException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        if (fsync) {
            // after the rename nothing may fail the write: the file is in place (Platform says why)
            Platform.current().syncFolder(target.toAbsolutePath().getParent());
        }
    }

    private static boolean posix(Path target) {
        return FileModes.posix(target);
    }

    private static Path part(Path target) {
        return target.resolveSibling("." + target.getFileName() + ".part");
    }
}
