package dev.mailroute;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.mailroute.support.GatewayProcess;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A folder the process user may not write stops the start with path, user and fix. Root writes
 * everywhere whatever the mode bits say, so the gateway runs here as the unprivileged user
 * {@code nobody} (via setpriv), from a copy of its classpath that nobody can read.
 */
class UnprivilegedStartTest {

    private Path root;

    @BeforeEach
    void prepare() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to switch to the user nobody");
        root = Files.createTempDirectory("mailroute-nobody");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (root != null) {
            try (Stream<Path> all = Files.walk(root)) {
                all.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static final List<String> AS_NOBODY = List.of("setpriv", "--reuid=nobody", "--regid=nogroup",
            "--clear-groups");

    /** A data folder nobody owns, with a pickup folder in it that only root may write. */
    private Map<String, String> dataWithRootsPickup() throws IOException {
        copyTree(Path.of("config"), root.resolve("config"));
        copyTree(Path.of("routes"), root.resolve("routes"));
        Path data = Files.createDirectory(root.resolve("data"));
        UserPrincipal nobody = data.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(data, nobody);
        Files.createDirectory(data.resolve("pickup")); // root's, mode 755: nobody may not write
        return Map.of(
                "MAILROUTE_DATA_DIR", data.toString(),
                "MAILROUTE_BROKER_PORT", Integer.toString(TestGateway.freePort()),
                "HOME", root.toString());
    }

    @Test
    void doctorNamesThePickupFolderNobodyMayWrite() throws Exception {
        Map<String, String> env = dataWithRootsPickup();
        Path pickup = root.resolve("data").resolve("pickup");
        try (GatewayProcess doctor = GatewayProcess.start(root, env, AS_NOBODY, readableClasspath(), "doctor")) {
            assertThat(doctor.awaitExit()).isEqualTo(1);
            assertThat(doctor.output()).contains("FAIL  folders pickup: pickup folder " + pickup
                                                 + " is not writable by user nobody: permission denied.")
                    .contains("ok    folders inbox: ").contains("some checks failed");
        }
    }

    @Test
    void aPickupFolderNobodyMayWriteStopsTheStart() throws Exception {
        String classpath = readableClasspath();
        Map<String, String> env = dataWithRootsPickup();
        Path data = root.resolve("data");
        Path pickup = data.resolve("pickup");
        try (GatewayProcess gateway = GatewayProcess.start(root, env, AS_NOBODY, classpath)) {
            assertThat(gateway.awaitExit()).isEqualTo(2);
            assertThat(gateway.output()).contains("mailroute: cannot start: pickup folder " + pickup
                                                  + " is not writable by user nobody: permission denied."
                                                  + " Fix: chown nobody " + pickup);
            assertThat(gateway.output()).doesNotContain("\tat ");
        }
        assertThat(data.resolve("inbox")).as("the folders nobody may create were created").isDirectory();
    }

    /** Links (or copies) every classpath entry under the world-readable temp folder. */
    private String readableClasspath() throws IOException {
        String testClasspath = System.getProperty("surefire.test.class.path", GatewayProcess.testClasspath());
        Path lib = Files.createDirectory(root.resolve("lib"));
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : testClasspath.split(File.pathSeparator)) {
            Path source = Path.of(entry);
            if (Files.isDirectory(source)) {
                Path copy = lib.resolve("dir" + n++);
                copyTree(source, copy);
                entries.add(copy.toString());
            } else if (Files.isRegularFile(source)) {
                Path copy = lib.resolve(n++ + "-" + source.getFileName());
                try {
                    Files.createLink(copy, source);
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(source, copy);
                }
                entries.add(copy.toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path source : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                try {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                } catch (FileAlreadyExistsException e) {
                    // directories listed after their first file
                }
                target.toFile().setReadable(true, false);
                if (Files.isDirectory(target)) {
                    target.toFile().setExecutable(true, false);
                }
            }
        }
    }
}
