package dev.mailroute.diagnostics;

import java.util.ArrayList;
import java.util.List;

import dev.mailroute.config.MailrouteSettings;

/** Checks run before anything starts; all problems are reported together. */
public final class StartupChecks {

    private StartupChecks() {
    }

    public static void requireUsableFolders(MailrouteSettings settings) {
        List<String> problems = new ArrayList<>();
        FolderCheck.problem("inbox", "mailroute.inbox.dir", settings.inboxDir()).ifPresent(problems::add);
        FolderCheck.problem("rejected", "mailroute.rejected.dir", settings.rejectedDir()).ifPresent(problems::add);
        FolderCheck.problem("failed", "mailroute.failed.dir", settings.failedDir()).ifPresent(problems::add);
        // Camel only warns at start-up when it cannot create its spool folder, then fails messages later
        FolderCheck.problem("spool", "mailroute.spool.dir", settings.spoolDir()).ifPresent(problems::add);
        if (settings.usesPickup()) {
            FolderCheck.problem("pickup", "mailroute.pickup.dir", settings.pickupDir()).ifPresent(problems::add);
        }
        if (settings.embeddedBroker()) {
            FolderCheck.problem("broker journal", "mailroute.broker.dir", settings.brokerDir())
                    .ifPresent(problems::add);
        }
        if (!problems.isEmpty()) {
            throw new StartupCheckException(String.join(System.lineSeparator(), problems));
        }
    }
}
