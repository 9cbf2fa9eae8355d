package dev.mailroute.diagnostics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.mailroute.config.MailrouteSettings;
import dev.mailroute.files.FolderCheck;
import dev.mailroute.files.SameVolume;

/**
 * Every folder mailroute writes into: there or creatable, writable by this user, and how much room is
 * left; and the inbox and its rejected folder on one volume ({@link SameVolume}).
 */
final class FolderChecks implements DoctorCheck {

    @Override
    public void run(Situation situation, Report report) {
        MailrouteSettings settings = situation.settings();
        folder(report, "inbox", "mailroute.inbox.dir", settings.inbox().dir());
        for (Path pickup : settings.relays().pickupDirs()) {
            folder(report, "pickup", settings.pickupKey(pickup), pickup);
        }
        folder(report, "rejected", "mailroute.rejected.dir", settings.inbox().rejectedDir());
        folder(report, "failed", "mailroute.failed.dir", settings.delivery().failedDir());
        if (settings.broker().embedded()) {
            folder(report, "broker journal", "mailroute.broker.dir", settings.broker().dir());
        }
        folder(report, "spool", "mailroute.spool.dir", settings.spoolDir());
        SameVolume.problem("mailroute.inbox.dir", settings.inbox().dir(), "mailroute.rejected.dir",
                settings.inbox().rejectedDir()).ifPresentOrElse(
                        problem -> report.fail("folders", "same volume", problem, null),
                        () -> report.ok("folders", "same volume", "the inbox and rejected folders are on one volume:"
                                                                  + " a file is moved between them in one step"));
    }

    private static void folder(Report report, String role, String key, Path path) {
        FolderCheck.problem(role, key, path).ifPresentOrElse(
                problem -> report.fail("folders", role, problem, null),
                () -> report.ok("folders", role, path + " writable by " + System.getProperty("user.name") + ", "
                                                 + free(path) + " free"));
    }

    private static String free(Path path) {
        try {
            long bytes = Files.getFileStore(path).getUsableSpace();
            return bytes >= 1L << 30 ? (bytes >> 30) + " GiB" : (bytes >> 20) + " MiB";
        } catch (IOException e) {
            return "unknown";
        }
    }
}
