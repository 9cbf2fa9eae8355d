package dev.mailroute.files;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Can the process user use this folder? Creates it when missing, then proves it writable by
 * writing and deleting a probe file: permission bits, ACLs, read-only mounts and SELinux all show
 * up in an actual write, where {@code Files.isWritable} can be wrong. The answer is one line:
 * path, user, cause and fix.
 *
 * <p>Uses nothing but the JDK, so it also runs alone ({@link #main}) as another user in tests.
 */
public final class FolderCheck {

    /**
     * Who to chown a folder to: the numeric uid, which is right on the host too — where a container's
     * user (mailroute, uid 999) may not exist by name. The user's name where the uid is unknown.
     */
    private static final String OWNER = owner();

    private FolderCheck() {
    }

    private static String owner() {
        try {
            return Long.toString(new com.sun.security.auth.module.UnixSystem().getUid());
        } catch (RuntimeException | LinkageError e) {
            return System.getProperty("user.name");
        }
    }

    /** @return the problem as one line, or empty when the folder is there and writable. */
    public static Optional<String> problem(String role, String key, Path folder) {
        return problem(role, key, folder, null);
    }

    /**
     * The same, and a missing folder is created with that mode and group.
     *
     * @param modes null for the umask's mode
     */
    public static Optional<String> problem(String role, String key, Path folder, FileModes modes) {
        Path path = folder.toAbsolutePath().normalize();
        String user = System.getProperty("user.name");
        String owner = OWNER;
        if (Files.exists(path) && !Files.isDirectory(path)) {
            return Optional.of(String.format("%s folder %s is not usable by user %s: it exists but is not a folder."
                                             + " Fix: move that file away, or set %s to another folder.",
                    role, path, user, key));
        }
        try {
            if (modes == null) {
                Files.createDirectories(path);
            } else {
                modes.createFolder(path);
            }
        } catch (IOException e) {
            return Optional.of(String.format("%s folder %s cannot be created by user %s: %s."
                                             + " Fix: mkdir -p %s && chown %s %s, or set %s to another folder.",
                    role, path, user, cause(e), path, owner, path, key));
        }
        try {
            Path probe = Files.createTempFile(path, ".mailroute-probe-", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            return Optional.of(String.format("%s folder %s is not writable by user %s: %s."
                                             + " Fix: chown %s %s (or chmod u+w), or set %s to another folder.",
                    role, path, user, cause(e), owner, path, key));
        }
        return Optional.empty();
    }

    /**
     * Makes a folder that only mailroute uses (the broker journal, rejected/, failed/, the spool)
     * private to its user: mail rests there. A folder mailroute does not own is left as it is.
     *
     * @return the problem as one line, or empty when done or not applicable
     */
    public static Optional<String> makePrivate(Path folder) {
        Path path = folder.toAbsolutePath().normalize();
        try {
            if (!path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                return Optional.empty();
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path);
            Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rwx------");
            if (!mode.equals(owner)) {
                Files.setPosixFilePermissions(path, owner);
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot make " + path + " private to user " + System.getProperty("user.name") + " ("
                               + cause(e) + "); others on this machine may read the mail in it");
        }
    }

    private static String cause(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "a folder on the way there does not exist and cannot be made";
        }
        if (e instanceof FileAlreadyExistsException fe) {
            return "a file is in the way at " + fe.getFile();
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
    }

    /** {@code java -cp classes dev.mailroute.diagnostics.FolderCheck PATH...}: one line per problem, exit 1 if any. */
    public static void main(String... paths) {
        int problems = 0;
        for (String path : paths) {
            Optional<String> problem = problem("folder", "mailroute.data.dir", Path.of(path));
            if (problem.isPresent()) {
                System.out.println(problem.get());
                problems++;
            }
        }
        System.exit(problems == 0 ? 0 : 1);
    }
}
