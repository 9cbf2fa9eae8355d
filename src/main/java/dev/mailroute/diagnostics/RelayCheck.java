package dev.mailroute.diagnostics;

import java.util.List;

import dev.mailroute.config.MailrouteSettings;
import dev.mailroute.delivery.Transport;

/**
 * The relay, when mail goes there (the SMTP transport, or the pickup fallback's relay): talked to as
 * the classic advice says — connect, EHLO, STARTTLS, AUTH, MAIL, RCPT for --to — by {@link SmtpProbe},
 * and whether it takes the envelope sender of delivery status reports (MAIL FROM:<>, then RSET),
 * whose conversation is kept for {@code -v}.
 */
final class RelayCheck implements DoctorCheck {

    private List<String> transcript = List.of();

    @Override
    public void run(Situation situation, Report report) {
        MailrouteSettings settings = situation.settings();
        if (settings.transport() != Transport.SMTP && !settings.circuit().fallbackToPickup()) {
            if (situation.to() != null) {
                report.ok("smtp", "skipped", "transport is pickup: --to is not checked");
            }
            return;
        }
        SmtpProbe probe = new SmtpProbe(settings.smtp(), settings.oauth2());
        String username = settings.smtp().username();
        String sender = situation.from() != null ? situation.from()
                : username != null && username.contains("@") ? username : "postmaster@" + settings.smtp().host();
        String reportsSender = !settings.bounce().enabled() ? null
                : settings.bounce().sender() == null ? "" : settings.bounce().sender().getAddress();
        probe.run(report, sender, situation.to(), reportsSender);
        transcript = probe.transcript();
    }

    /** The SMTP conversation as a telnet session would have shown it; empty when the relay was not asked. */
    List<String> transcript() {
        return transcript;
    }
}
