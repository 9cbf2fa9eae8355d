package dev.mailroute.ingress.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * What tells one inbox file from every other that ever lay there: its name, size, modification time,
 * and the time its inode last changed with its file key (device and inode) where the file system has
 * them — a change time no program can set, so a file copied into the inbox again, even with its
 * times kept, is a new file. Without them (Windows) the creation time stands in, which copy tools
 * can keep: a file copied in again with the same name, size and both times is taken for the one
 * before it (docs/windows.md). Hashed to a fixed length; it becomes the broker's duplicate id of the
 * file's message ({@link dev.mailroute.queue.FileDuplicateId}).
 */
final class FileIdentity {

    private static final boolean UNIX = FileSystems.getDefault().supportedFileAttributeViews().contains("unix");

    private FileIdentity() {
    }

    /** @return the identity, or null when the file can no longer be looked at (its reading will say why) */
    static String of(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            FileTime changed = UNIX ? (FileTime) Files.getAttribute(file, "unix:ctime", LinkOption.NOFOLLOW_LINKS)
                    : attributes.creationTime();
            String facts = file.getFileName() + "\0" + attributes.size() + "\0"
                           + attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS) + "\0"
                           + changed.to(TimeUnit.NANOSECONDS) + "\0" + attributes.fileKey();
            return "inbox:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(facts.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
