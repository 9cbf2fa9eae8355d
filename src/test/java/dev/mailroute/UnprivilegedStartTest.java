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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.mailroute.support.GatewayProcess;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A folder the process user may not write stops the start with path, user and fix. Root writes
 * everywhere whatever the mode bits say, so when the suite runs as root the gateway runs as the
 * unprivileged user {@code nobody} (via setpriv), from a copy of its classpath that nobody can
 * read; otherwise it runs as the suite's own user with a pickup folder of mode 555.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "runs the gateway as the Unix user nobody through setpriv")
class UnprivilegedStartTest {

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static final List<String> AS_NOBODY = List.of("setpriv", "--reuid=nobody", "--regid=nogroup",
            "--clear-groups");

    private Path root;
    private String user;
    private String uid;

    @BeforeEach
    void prepare() throws IOException {
        root = Scratch.folder("mailroute-unprivileged");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        user = ROOT ? "nobody" : System.getProperty("user.name");
        // the fix names the numeric uid (a container's user may not exist by name on the host)
        uid = ROOT ? "65534" : Long.toString(new com.sun.security.auth.module.UnixSystem().getUid());
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (root != null) {
            try (Stream<Path> all = Files.walk(root)) {
                all.sorted((a, b) -> b.compareTo(a)).forEach(p -> {
                    p.toFile().setWritable(true);
                    p.toFile().delete();
                });
            }
        }
    }

    /** A data folder the gateway's user owns, with a pickup folder in it that this user may not write. */
    private Map<String, String> dataWithReadOnlyPickup() throws IOException {
        copyTree(Path.of("config"), root.resolve("config"));
        copyTree(Path.of("routes"), root.resolve("routes"));
        Path data = Files.createDirectory(root.resolve("data"));
        Path pickup = Files.createDirectory(data.resolve("pickup"));
        if (ROOT) {
            UserPrincipal nobody = data.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(data, nobody); // pickup stays root's, mode 755
        } else {
            Files.setPosixFilePermissions(pickup, PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        Map<String, String> env = new HashMap<>(TestGateway.on(data).environment());
        env.put("HOME", root.toString());
        return env;
    }

    private GatewayProcess start(Map<String, String> env, String... args) throws IOException {
        return ROOT ? GatewayProcess.start(root, env, AS_NOBODY, readableClasspath(), args)
                : GatewayProcess.start(root, env, List.of(), GatewayProcess.testClasspath(), args);
    }

    @Test
    void doctorNamesThePickupFolderTheUserMayNotWrite() throws Exception {
        Map<String, String> env = dataWithReadOnlyPickup();
        Path pickup = root.resolve("data").resolve("pickup");
        try (GatewayProcess doctor = start(env, "doctor")) {
            assertThat(doctor.awaitExit()).isEqualTo(1);
            assertThat(doctor.output()).contains("FAIL  folders pickup: pickup folder " + pickup
                                                 + " is not writable by user " + user + ": permission denied.")
                    .contains("ok    folders inbox: ").contains("some checks failed");
        }
    }

    @Test
    void aPickupFolderTheUserMayNotWriteStopsTheStart() throws Exception {
        Map<String, String> env = dataWithReadOnlyPickup();
        Path data = root.resolve("data");
        Path pickup = data.resolve("pickup");
        try (GatewayProcess gateway = start(env)) {
            assertThat(gateway.awaitExit()).isEqualTo(2);
            assertThat(gateway.output()).contains("mailroute: cannot start: pickup folder " + pickup
                                                  + " is not writable by user " + user + ": permission denied."
                                                  + " Fix: chown " + uid + " " + pickup);
            assertThat(gateway.output()).doesNotContain("\tat ");
        }
        assertThat(data.resolve("inbox")).as("the folders the user may create were created").isDirectory();
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
