package dev.mailroute.config;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import dev.mailroute.settings.StartupCheckException;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The folders one mailroute must have to itself — its broker journal, its inbox — locked for as
 * long as it runs ({@code .mailroute.lock} in each, a name the inbox ignores). A second instance
 * pointed at the same folder stops at once with the key to change: Artemis would otherwise wait for
 * its journal's lock forever, silently, and two inboxes would read the same files.
 */
final class FolderLocks extends ServiceSupport {

    private static final String LOCK_FILE = ".mailroute.lock";

    private final List<FileChannel> held = new ArrayList<>();

    /** @param key the setting that names the folder, for the refusal */
    synchronized void lock(Path folder, String key) {
        Path file = folder.resolve(LOCK_FILE);
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this JVM holds it already: another gateway in the same process
            }
            if (lock == null) {
                channel.close();
                throw new StartupCheckException(key + "=" + folder + ": another mailroute uses this folder (it holds "
                                                + file + "). Fix: stop it, or give this instance folders of its own"
                                                + " (mailroute.data.dir)");
            }
            held.add(channel);
        } catch (IOException e) {
            throw new StartupCheckException(key + "=" + folder + ": cannot lock " + file + " (" + e.getMessage() + ")");
        }
    }

    @Override
    protected synchronized void doStop() throws IOException {
        for (FileChannel channel : held) {
            channel.close(); // releases its lock
        }
        held.clear();
    }
}
