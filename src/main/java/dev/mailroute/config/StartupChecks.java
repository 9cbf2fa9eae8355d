package dev.mailroute.config;

import java.util.ArrayList;
import java.util.List;

import dev.mailroute.files.FolderCheck;

/** Checks run before anything starts; all problems are reported together. */
public final class StartupChecks {

    private StartupChecks() {
    }

    public static void requireUsableFolders(MailrouteSettings settings) {
        List<String> problems = new ArrayList<>();
        FolderCheck.problem("inbox", "mailroute.inbox.dir", settings.inbox().dir()).ifPresent(problems::add);
        FolderCheck.problem("rejected", "mailroute.rejected.dir", settings.inbox().rejectedDir()).ifPresent(problems::add);
        FolderCheck.problem("failed", "mailroute.failed.dir", settings.delivery().failedDir()).ifPresent(problems::add);
        // Camel only warns at start-up when it cannot create its spool folder, then fails messages later
        FolderCheck.problem("spool", "mailroute.spool.dir", settings.spoolDir()).ifPresent(problems::add);
        if (settings.usesPickup()) {
            FolderCheck.problem("pickup", "mailroute.pickup.dir", settings.pickup().dir()).ifPresent(problems::add);
        }
        if (settings.broker().embedded()) {
            FolderCheck.problem("broker journal", "mailroute.broker.dir", settings.broker().dir())
                    .ifPresent(problems::add);
        }
        if (!problems.isEmpty()) {
            throw new StartupCheckException(String.join(System.lineSeparator(), problems));
        }
    }
}
