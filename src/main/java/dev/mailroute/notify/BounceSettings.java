package dev.mailroute.notify;

import java.util.List;
import java.util.Locale;

import dev.mailroute.settings.SettingsReader;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/**
 * Delivery status reports to the sender ({@code mailroute.bounce.*}): whether they are sent, from
 * which envelope sender, who gets a copy, to which sender domains, and how many a sender gets.
 *
 * @param sender the envelope sender and From of reports, or null for the null sender {@code <>}
 *     (with From {@code MAILER-DAEMON@<reportingMta>}); a relay that only takes mail from its
 *     authenticated mailbox (Microsoft 365) needs that mailbox here
 * @param copyTo an administrator's mailbox that gets a copy of every report, or null
 * @param domains the sender domains that get reports (a subdomain counts as its domain); empty = every one
 * @param maxPerSenderPerHour reports one sender address gets in an hour, at most (per instance)
 * @param reportingMta the name in Reporting-MTA, or null for this host's
 * @param delayWarningMillis how long a message waits for a retry before its sender gets a delay notice; 0 = never
 */
public record BounceSettings(boolean enabled, InternetAddress sender, InternetAddress copyTo, List<String> domains,
                             int maxPerSenderPerHour, String reportingMta, long delayWarningMillis) {

    public static BounceSettings from(SettingsReader r) {
        return new BounceSettings(r.bool("mailroute.bounce.enabled"),
                mailbox(r, "mailroute.bounce.sender"), mailbox(r, "mailroute.bounce.copyTo"),
                r.list("mailroute.bounce.domains").stream().map(d -> d.toLowerCase(Locale.ROOT)).toList(),
                r.atLeast("mailroute.bounce.maxPerSender", 1), r.optional("mailroute.bounce.reportingMta"),
                r.millis("mailroute.bounce.delayWarning"));
    }

    /** Whether a sender's domain may get reports. */
    public boolean reportsTo(String senderAddress) {
        if (domains.isEmpty()) {
            return true;
        }
        String domain = senderAddress.substring(senderAddress.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        return domains.stream().anyMatch(d -> domain.equals(d) || domain.endsWith("." + d));
    }

    private static InternetAddress mailbox(SettingsReader r, String key) {
        String value = r.optional(key);
        if (value == null) {
            return null;
        }
        try {
            InternetAddress address = new InternetAddress(value, true);
            if (address.isGroup() || address.getAddress().indexOf('@') < 1) {
                throw new AddressException("not one mailbox");
            }
            return address;
        } catch (AddressException e) {
            throw new IllegalArgumentException(key + " must be one mailbox such as alerts@example.com (" + e.getMessage()
                                               + ")");
        }
    }
}
