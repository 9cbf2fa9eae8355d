package dev.mailroute.diagnostics;

import java.util.Optional;

import dev.mailroute.config.MailrouteSettings;
import dev.mailroute.delivery.smtp.SmtpSettings;
import dev.mailroute.routing.RoutingRule;

/**
 * The address of doctor's {@code --to} as delivery would route it: the sender it is routed with
 * (and asked about at the relay: one sender for both, so that the answer is about the relay that
 * message would take) and the rule of the routing table that takes it.
 *
 * @param sender {@code --from}, or else the relay named default's user when it is an address, or
 *     else postmaster@ its host — the sender doctor has always asked with
 */
record RoutedRecipient(String sender, String recipient, RoutingRule rule) {

    /** The routed {@code --to}; empty when the command line has none. */
    static Optional<RoutedRecipient> of(DoctorCheck.Situation situation) {
        if (situation.to() == null) {
            return Optional.empty();
        }
        MailrouteSettings settings = situation.settings();
        String sender = situation.from() != null ? situation.from() : defaultSender(settings.smtp());
        return Optional.of(new RoutedRecipient(sender, situation.to(),
                settings.routing().table().route(sender, situation.to())));
    }

    private static String defaultSender(SmtpSettings smtp) {
        String username = smtp.username();
        return username != null && username.contains("@") ? username : "postmaster@" + smtp.host();
    }

    /** The name of the relay the rule gives it. */
    String relay() {
        return rule.relay();
    }
}
