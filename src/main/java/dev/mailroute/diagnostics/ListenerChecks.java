package dev.mailroute.diagnostics;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;

import dev.mailroute.ingress.smtp.ListenerExposure;
import dev.mailroute.ingress.smtp.ListenerTls;
import dev.mailroute.ingress.smtp.SmtpUsers;
import dev.mailroute.ingress.smtp.SmtpdSettings;

/**
 * The SMTP listener: whom it would relay for (what the start-up checks refuse), its certificate
 * (readable, paired with its key, and its expiry) and its users file.
 */
final class ListenerChecks implements DoctorCheck {

    @Override
    public void run(Situation situation, Report report) {
        SmtpdSettings smtpd = situation.settings().smtpd();
        if (!smtpd.enabled()) {
            return;
        }
        exposure(smtpd, situation.settings().allowUnauthenticated(), report);
        if (smtpd.tls()) {
            certificate(smtpd, report);
        }
        if (smtpd.users() != null) {
            try {
                int users = SmtpUsers.load(smtpd.users()).size();
                report.ok("smtpd", "users", smtpd.users() + ": " + users + (users == 1 ? " user" : " users"));
            } catch (IllegalArgumentException | IOException e) {
                report.fail("smtpd", "users", e.getMessage(), "fix the users file");
            }
        }
    }

    private static void exposure(SmtpdSettings smtpd, boolean allowUnauthenticated, Report report) {
        ListenerExposure.of(smtpd).ifPresentOrElse(problem -> {
            if (problem.optOut() && allowUnauthenticated) {
                report.ok("smtpd", "exposure", problem.what() + " (allowed by"
                                               + " mailroute.security.allowUnauthenticated=true)");
            } else {
                report.fail("smtpd", "exposure", problem.setting() + ": " + problem.what() + ".", problem.fixes());
            }
        }, () -> report.ok("smtpd", "exposure", smtpd.host() + ":" + smtpd.port() + " for clients "
                                                + smtpd.allowedClients()
                                                + (smtpd.requireAuth() ? ", AUTH required" : "")));
    }

    private static void certificate(SmtpdSettings smtpd, Report report) {
        try {
            String detail = ListenerTls.describe(smtpd.tlsCert(), smtpd.tlsKey());
            Instant expiry = ListenerTls.expiry(smtpd.tlsCert());
            if (expiry.isBefore(Instant.now())) {
                report.fail("smtpd", "tls", "the certificate has expired: " + detail,
                        "renew it (mailroute.smtpd.tls.cert, mailroute.smtpd.tls.key)");
            } else {
                report.ok("smtpd", "tls", detail + " (" + Duration.between(Instant.now(), expiry).toDays()
                                          + " days left)");
            }
        } catch (IllegalArgumentException | IOException | GeneralSecurityException e) {
            report.fail("smtpd", "tls", e.getMessage(), "point mailroute.smtpd.tls.cert and mailroute.smtpd.tls.key"
                                                        + " at a PEM certificate and its private key");
        }
    }
}
