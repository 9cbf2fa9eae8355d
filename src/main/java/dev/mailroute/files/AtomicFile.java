package dev.mailroute.files;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file so that no reader ever sees it half written: as {@code .<name>.part} beside it,
 * then renamed into place in one atomic step. With {@code fsync} the data is on disk before the
 * rename and the rename is on disk before this returns, so a power loss never leaves a visible
 * but empty file — what the pickup folder, failed/ and rejected/ all need.
 */
public final class AtomicFile {

    private AtomicFile() {
    }

    /** Replaces an existing file of that name (a redelivery writing the same bytes again). */
    public static void write(Path target, byte[] bytes, boolean fsync) throws IOException {
        write(target, new ByteArrayInputStream(bytes), fsync);
    }

    /** The same for content of any size, streamed. */
    public static void write(Path target, InputStream content, boolean fsync) throws IOException {
        Path part = part(target);
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            content.transferTo(Channels.newOutputStream(out));
            if (fsync) {
                out.force(true);
            }
        } catch (IOException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        moveIntoPlace(part, target, fsync);
    }

    private static Path part(Path target) {
        return target.resolveSibling("." + target.getFileName() + ".part");
    }

    private static void moveIntoPlace(Path part, Path target, boolean fsync) throws IOException {
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (fsync) {
            try (FileChannel folder = FileChannel.open(target.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
                folder.force(true);
            }
        }
    }
}
