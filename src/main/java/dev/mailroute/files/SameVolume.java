package dev.mailroute.files;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Two folders mailroute moves files between must be on one volume: only there is a rename one
 * atomic step, and mailroute never copies a file into place instead ({@link Platform#move}). Today
 * that is the inbox and its rejected folder (a link, a FIFO or a name that cannot be read is moved
 * out of the inbox as it is). Every other file mailroute writes is renamed into place from a
 * temporary file in its own folder ({@link AtomicFile}), which is always on the target's volume.
 */
public final class SameVolume {

    private SameVolume() {
    }

    /** @return one line naming both keys and the fix, or empty when both are on one volume (or that cannot be told) */
    public static Optional<String> problem(String fromKey, Path from, String toKey, Path to) {
        try {
            if (Platform.current().sameVolume(from, to)) {
                return Optional.empty();
            }
        } catch (IOException e) {
            return Optional.empty(); // the folders' own checks say what is wrong with them
        }
        Path absolute = from.toAbsolutePath().normalize();
        Path beside = absolute.getParent() == null ? absolute.resolve("rejected")
                : absolute.getParent().resolve("rejected");
        return Optional.of(String.format("%s=%s and %s=%s are on different volumes: a file cannot be moved from"
                                         + " one to the other in one step, and mailroute never copies it instead."
                                         + " Fix: set %s to a folder on the volume of %s, e.g. %s.",
                fromKey, from, toKey, to, toKey, fromKey, beside));
    }
}
