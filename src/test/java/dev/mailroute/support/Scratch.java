package dev.mailroute.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Temporary folders and files that outlive one test (a class's gateway data, a child gateway's
 * output, kept to be read after the test failed) and are deleted when the test JVM exits. JUnit's
 * {@code @TempDir} suits a folder of one test or class; this is for the rest: before it, every run
 * of the suite left about 800 MB of broker journals in the temporary folder.
 */
public final class Scratch {

    private static final Set<Path> CREATED = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Scratch::deleteAll, "scratch-cleanup"));
    }

    private Scratch() {
    }

    /** A new folder in the system's temporary folder, its name starting with {@code prefix}. */
    public static Path folder(String prefix) throws IOException {
        return created(Files.createTempDirectory(prefix));
    }

    /** A new folder inside {@code parent} (e.g. /dev/shm, another file system). */
    public static Path folder(Path parent, String prefix) throws IOException {
        return created(Files.createTempDirectory(parent, prefix));
    }

    /** A new empty file in the system's temporary folder. */
    public static Path file(String prefix, String suffix) throws IOException {
        return created(Files.createTempFile(prefix, suffix));
    }

    private static Path created(Path path) {
        CREATED.add(path);
        return path;
    }

    /** Best effort: a child gateway killed a moment ago may still hold a file or add one. */
    private static void deleteAll() {
        for (Path root : CREATED) {
            try (Stream<Path> tree = Files.walk(root)) {
                tree.sorted(Comparator.reverseOrder()).forEach(Scratch::deleteQuietly);
            } catch (IOException | UncheckedIOException gone) {
                // already gone, or unreadable: nothing more to do at exit
            }
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException stillInUse) {
            // left behind; the rest is still deleted
        }
    }
}
