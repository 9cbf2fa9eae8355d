package dev.mailroute.diagnostics;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.mailroute.notify.webhook.AddressRules;
import dev.mailroute.notify.webhook.WebhookEndpoint;
import dev.mailroute.observability.LogText;

/**
 * The webhook endpoints: where each one's host resolves and whether the address rules let events
 * go there, and — when mailroute runs — whether an endpoint was disabled by a 410 and how many of
 * its events wait. Shows URLs and event names, never a secret. Sends nothing to a receiver.
 */
final class WebhookChecks implements DoctorCheck {

    @Override
    public void run(Situation situation, Report report) {
        if (situation.settings().webhooks().endpoints().isEmpty()) {
            report.ok("webhooks", "endpoints", "none (mailroute.webhooks is empty)");
            return;
        }
        String metrics = situation.running() ? metrics(situation) : null;
        for (WebhookEndpoint endpoint : situation.settings().webhooks().endpoints()) {
            String name = "webhook " + endpoint.name();
            try {
                report.ok("webhooks", name, endpoint.shownUrl() + " " + AddressRules.check(endpoint) + "; events "
                                              + endpoint.events().stream().map(e -> e.id()).toList());
            } catch (IllegalArgumentException e) {
                report.fail("webhooks", name, LogText.oneLine(e.getMessage(), 300), "point mailroute.webhooks."
                        + endpoint.name() + ".url at the receiver's public https:// address, or allow the address"
                        + " explicitly (allowPrivate, allowInsecureLoopback: docs/webhooks.md)");
            }
            if (metrics == null) {
                continue;
            }
            if (sample(metrics, "mailroute_webhook_disabled", endpoint.name()) == 1) {
                report.fail("webhooks", name + " state", "disabled: its receiver answered 410 Gone; "
                        + (long) sample(metrics, "mailroute_webhook_pending", endpoint.name()) + " events wait",
                        "fix the receiver (or remove the endpoint from mailroute.webhooks) and restart mailroute");
            } else {
                report.ok("webhooks", name + " state", (long) sample(metrics, "mailroute_webhook_pending", endpoint.name())
                        + " events waiting, the oldest for "
                        + (long) sample(metrics, "mailroute_webhook_oldest_pending_seconds", endpoint.name()) + " s");
            }
        }
    }

    private static String metrics(Situation situation) {
        try {
            return RunningInstance.metrics(situation.settings());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** One endpoint's sample off the running instance's Prometheus page; -1 when absent. */
    private static double sample(String metrics, String name, String endpoint) {
        Matcher m = Pattern.compile("^" + name + "\\{endpoint=\"" + Pattern.quote(endpoint) + "\"[^}]*}\\s+(\\S+)",
                Pattern.MULTILINE).matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
