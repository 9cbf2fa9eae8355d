package dev.mailroute.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.mailroute.files.FileModes;
import dev.mailroute.files.FolderCheck;
import dev.mailroute.files.SameVolume;
import dev.mailroute.ingress.http.HttpSettings;
import dev.mailroute.ingress.smtp.ListenerExposure;
import dev.mailroute.settings.Hosts;
import dev.mailroute.settings.StartupCheckException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Checks run before anything starts; all problems are reported together. */
public final class StartupChecks {

    private static final Logger LOG = LoggerFactory.getLogger(StartupChecks.class);

    private StartupChecks() {
    }

    /**
     * Closed by default: nothing that accepts mail listens beyond loopback without credentials,
     * unless the operator says so with mailroute.security.allowUnauthenticated=true — and is then
     * warned at every start. (The broker always asks for credentials.)
     */
    public static void requireClosedByDefault(MailrouteSettings settings) {
        HttpSettings http = settings.http();
        if (!http.requiresKey() && !Hosts.isLoopback(http.host())) {
            open(settings, "mailroute.http.host=" + http.host(), "the HTTP API on " + http.host() + ":" + http.port()
                    + " accepts mail without an API key from anyone who reaches it",
                    "set MAILROUTE_API_KEYS, or listen on 127.0.0.1");
        }
        ListenerExposure.of(settings.smtpd()).ifPresent(problem -> {
            if (!problem.optOut() || !settings.allowUnauthenticated()) {
                throw new StartupCheckException(problem.refusal());
            }
            LOG.warn("mailroute.security.allowUnauthenticated=true: {}", problem.what());
        });
    }

    /**
     * The ledger keeps a message at least as long as it may still be retried: a shorter retention
     * would prune the story of a message still on the queue.
     */
    public static void requireLedgerOutlivesRetries(MailrouteSettings settings) {
        long retention = settings.ledger().retentionMillis();
        long maxAge = settings.delivery().retry().maxAgeMillis();
        if (settings.ledger().enabled() && retention < maxAge) {
            throw new StartupCheckException("mailroute.ledger.retention is shorter than mailroute.retry.maxAge: the"
                    + " story of a message still being retried would be pruned. Fix: raise mailroute.ledger.retention"
                    + " to at least mailroute.retry.maxAge");
        }
    }

    /** Refuses, or with the operator's explicit opt-out, warns: at every start. */
    private static void open(MailrouteSettings settings, String setting, String what, String fix) {
        if (!settings.allowUnauthenticated()) {
            throw new StartupCheckException(setting + ": " + what + ". Fix: " + fix
                                            + ", or set mailroute.security.allowUnauthenticated=true if a firewall"
                                            + " guards it");
        }
        LOG.warn("mailroute.security.allowUnauthenticated=true: {}", what);
    }

    public static void requireUsableFolders(MailrouteSettings settings) {
        List<String> problems = new ArrayList<>();
        FolderCheck.problem("inbox", "mailroute.inbox.dir", settings.inbox().dir()).ifPresent(problems::add);
        FolderCheck.problem("rejected", "mailroute.rejected.dir", settings.inbox().rejectedDir(), FileModes.PRIVATE)
                .ifPresent(problems::add);
        FolderCheck.problem("failed", "mailroute.failed.dir", settings.delivery().failedDir(), FileModes.PRIVATE)
                .ifPresent(problems::add);
        // Camel only warns at start-up when it cannot create its spool folder, then fails messages later
        FolderCheck.problem("spool", "mailroute.spool.dir", settings.spoolDir()).ifPresent(problems::add);
        for (Path pickup : settings.relays().pickupDirs()) {
            String key = settings.pickupKey(pickup);
            FolderCheck.problem("pickup", key, pickup, settings.pickup().modes())
                    .or(() -> settings.pickup().modes().groupProblem("mailroute.pickup.group", pickup))
                    .ifPresent(problems::add);
        }
        if (settings.broker().embedded()) {
            FolderCheck.problem("broker journal", "mailroute.broker.dir", settings.broker().dir())
                    .ifPresent(problems::add);
        }
        if (problems.isEmpty()) {
            // the folders exist now: their volumes can be asked
            SameVolume.problem("mailroute.inbox.dir", settings.inbox().dir(), "mailroute.rejected.dir",
                    settings.inbox().rejectedDir()).ifPresent(problems::add);
        }
        if (!problems.isEmpty()) {
            throw new StartupCheckException(String.join(System.lineSeparator(), problems));
        }
        // where mail rests that no one else needs to see
        List<Path> privateFolders = new ArrayList<>(List.of(settings.inbox().rejectedDir(),
                settings.delivery().failedDir(), settings.spoolDir()));
        if (settings.broker().embedded()) {
            privateFolders.add(settings.broker().dir());
        }
        for (Path folder : privateFolders) {
            FolderCheck.makePrivate(folder).ifPresent(LOG::warn);
        }
        for (Path pickup : settings.relays().pickupDirs()) {
            // not changed: the operator may have opened it on purpose for a pickup service that deletes files
            FileModes.openToOthers(pickup).ifPresent(mode -> LOG.warn("pickup folder {} has mode {}:"
                    + " others on this machine can list it. Fix: chmod o-rwx {}", pickup, mode, pickup));
        }
    }
}
