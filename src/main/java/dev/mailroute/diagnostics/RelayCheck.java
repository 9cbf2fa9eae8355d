package dev.mailroute.diagnostics;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.mailroute.config.MailrouteSettings;
import dev.mailroute.delivery.RelaySettings;
import dev.mailroute.delivery.Transport;
import dev.mailroute.routing.RoutingRule;
import dev.mailroute.routing.RoutingTable;

/**
 * Every relay mail goes to by SMTP (its transport, or the pickup fallback's relay): talked to as
 * the classic advice says — connect, EHLO, STARTTLS, AUTH — by {@link SmtpProbe}, each with its own
 * settings and credentials; the relay named default's lines begin {@code smtp}, relay bulk's
 * {@code smtp-bulk}. {@code --to} (MAIL, RCPT, RSET) is asked only of the relay the routing table
 * gives that address, and the envelope sender of delivery status reports (MAIL FROM:<>, then RSET)
 * of every relay a report could be routed to. The conversations are kept for {@code -v}.
 */
final class RelayCheck implements DoctorCheck {

    private final List<String> transcript = new ArrayList<>();

    @Override
    public void run(Situation situation, Report report) {
        MailrouteSettings settings = situation.settings();
        Optional<RoutedRecipient> routed = RoutedRecipient.of(situation);
        String reportsSender = !settings.bounce().enabled() ? null
                : settings.bounce().sender() == null ? "" : settings.bounce().sender().getAddress();
        boolean several = !settings.relays().named().isEmpty();
        for (RelaySettings relay : settings.relays().all()) {
            Optional<RoutedRecipient> here = routed.filter(r -> r.relay().equals(relay.name()));
            if (relay.smtp() == null
                || (relay.transport() != Transport.SMTP && !relay.circuit().fallbackToPickup())) {
                if (here.isPresent()) {
                    report.ok("smtp" + relay.beanSuffix(), "skipped", relay.isDefault()
                            ? "transport is pickup: --to is not checked"
                            : "relay " + relay.name() + "'s transport is pickup into " + relay.pickupDir()
                              + ": --to is not checked");
                }
                continue;
            }
            SmtpProbe probe = new SmtpProbe(relay);
            probe.run(report, here.map(RoutedRecipient::sender).orElse(null),
                    here.map(RoutedRecipient::recipient).orElse(null),
                    reportsSender != null && mayCarryReports(settings.routing().table(), relay.name(), reportsSender)
                            ? reportsSender : null);
            if (several) {
                // with several relays, whose conversation is whose
                transcript.add("[relay " + relay.name() + ": " + relay.destination() + "]");
            }
            transcript.addAll(probe.transcript());
        }
    }

    /**
     * Whether the table could give this relay a delivery status report: by a rule without a sender
     * pattern, or one whose pattern takes the reports' sender (the null sender {@code <>} matches none).
     * A relay that only ever gets mail from other senders is not asked about a sender it never sees.
     */
    static boolean mayCarryReports(RoutingTable table, String relay, String reportsSender) {
        return table.rules().stream().filter(rule -> rule.relay().equals(relay))
                .anyMatch(rule -> new RoutingRule(rule.line(), null, rule.sender(), relay).matches(reportsSender, ""));
    }

    /** The SMTP conversations as a telnet session would have shown them; empty when no relay was asked. */
    List<String> transcript() {
        return transcript;
    }
}
