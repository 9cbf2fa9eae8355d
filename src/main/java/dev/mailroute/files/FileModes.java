package dev.mailroute.files;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.Optional;
import java.util.Set;

/**
 * The mode (and group) of the folders and files mailroute creates for mail. Mail is nobody else's:
 * never any access for "other". The pickup folder and its files are for mailroute and a pickup
 * service in their group ({@link #forGroup}: rwxr-x--- and rw-r-----); what mailroute keeps for
 * itself — rejected/, failed/ — is its user's only ({@link #PRIVATE}). Set at creation, never
 * widened later by the umask; where the file system has no POSIX permissions (Windows), nothing is
 * set and the folder's ACLs decide.
 */
public record FileModes(Set<PosixFilePermission> folder, Set<PosixFilePermission> file, GroupPrincipal group) {

    /** rwx------ and rw-------: rejected/ and failed/. */
    public static final FileModes PRIVATE = new FileModes(PosixFilePermissions.fromString("rwx------"),
            AtomicFile.OWNER_ONLY, null);

    /**
     * rwxr-x--- and rw-r-----.
     *
     * @param group the group to give them, or null for the one the system gives (the process's, or
     *              the folder's when it has the setgid bit)
     */
    public static FileModes forGroup(GroupPrincipal group) {
        return new FileModes(PosixFilePermissions.fromString("rwxr-x---"), PosixFilePermissions.fromString("rw-r-----"),
                group);
    }

    /**
     * The group of that name, for a setting.
     *
     * @return empty for an empty name
     * @throws IllegalArgumentException naming the key when there is no such group (a failed start, exit 2)
     */
    public static Optional<GroupPrincipal> group(String key, String name, FileSystem fileSystem) {
        if (name == null || name.isBlank()) {
            return Optional.empty();
        }
        if (!fileSystem.supportedFileAttributeViews().contains("posix")) {
            throw new IllegalArgumentException(key + "=" + name + ": this file system has no POSIX groups; leave "
                                               + key + " empty and give the pickup service access with the"
                                               + " folder's ACL");
        }
        try {
            return Optional.of(fileSystem.getUserPrincipalLookupService().lookupPrincipalByGroupName(name.trim()));
        } catch (UserPrincipalNotFoundException e) {
            throw new IllegalArgumentException(key + "=" + name + ": there is no such group on this machine. Fix:"
                                               + " create it (groupadd " + name.trim() + "), or set " + key
                                               + " to an existing group, or leave it empty");
        } catch (IOException e) {
            throw new IllegalArgumentException(key + "=" + name + ": cannot look the group up (" + e.getMessage() + ")");
        }
    }

    /**
     * Can this process give its files in that folder this group? Only root, or a member of the
     * group, may; otherwise every pickup file would fail to be written.
     *
     * @return the problem as one line naming the key, or empty
     */
    public Optional<String> groupProblem(String key, Path folder) {
        if (group == null || !posix(folder)) {
            return Optional.empty();
        }
        try {
            Path probe = Files.createTempFile(folder, ".mailroute-probe-", ".tmp");
            try {
                Files.getFileAttributeView(probe, PosixFileAttributeView.class).setGroup(group);
            } finally {
                Files.delete(probe);
            }
            return Optional.empty();
        } catch (IOException e) {
            String user = System.getProperty("user.name");
            return Optional.of(String.format("%s=%s: user %s may not give files in %s to group %s (%s). Fix: add"
                                             + " user %s to group %s, or set %s to a group of that user, or leave"
                                             + " it empty", key, group.getName(), user, folder.toAbsolutePath(),
                    group.getName(), e instanceof FileSystemException fse && fse.getReason() != null
                            ? fse.getReason().toLowerCase(java.util.Locale.ROOT) : e.toString(),
                    user, group.getName(), key));
        }
    }

    /** @return the folder's mode, as rwxr-xr-x, when it gives "other" any access; empty otherwise or without POSIX */
    public static Optional<String> openToOthers(Path folder) {
        try {
            if (!posix(folder)) {
                return Optional.empty();
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(folder);
            boolean open = mode.contains(PosixFilePermission.OTHERS_READ) || mode.contains(PosixFilePermission.OTHERS_WRITE)
                           || mode.contains(PosixFilePermission.OTHERS_EXECUTE);
            return open ? Optional.of(PosixFilePermissions.toString(mode)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Creates the folder (and any missing parents, with the umask's mode) if it is missing, with this mode and group. */
    public void createFolder(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            return;
        }
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        boolean posix = posix(path);
        try {
            if (posix) {
                Files.createDirectory(path, PosixFilePermissions.asFileAttribute(folder));
            } else {
                Files.createDirectory(path);
            }
        } catch (FileAlreadyExistsException raced) {
            return; // another thread made it
        }
        if (posix) {
            apply(path, folder);
        }
    }

    /**
     * Gives a new file this mode and group. The mode again after creation, since the umask may have
     * narrowed the one given at creation (a umask of 077 would take the group's read).
     */
    void applyToFile(Path path) throws IOException {
        if (posix(path)) {
            apply(path, file);
        }
    }

    private void apply(Path path, Set<PosixFilePermission> permissions) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        if (group != null) {
            view.setGroup(group);
        }
        view.setPermissions(permissions);
    }

    static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
