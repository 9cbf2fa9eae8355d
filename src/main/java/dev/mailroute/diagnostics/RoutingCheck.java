package dev.mailroute.diagnostics;

import dev.mailroute.observability.LogText;
import dev.mailroute.routing.RoutingRule;
import dev.mailroute.routing.RoutingSettings;
import dev.mailroute.routing.RoutingTable;

/**
 * The routing table, as the start reads it from {@code mailroute.routing.file}: one line per rule,
 * and for {@code --to} which relay that address takes and by which rule — the question an operator
 * asks first when mail for one domain goes the wrong way. A file the start would refuse never gets
 * here: reading the settings fails first, with the file, the line and the reason.
 */
final class RoutingCheck implements DoctorCheck {

    @Override
    public void run(Situation situation, Report report) {
        RoutingSettings routing = situation.settings().routing();
        if (!routing.routes()) {
            report.ok("routing", "table", "no routing file (mailroute.routing.file is empty): every message takes the"
                                          + " relay named " + RoutingTable.DEFAULT_RELAY);
            return;
        }
        RoutingTable table = routing.table();
        report.ok("routing", "file", LogText.oneLine(routing.file().toString()) + ": " + table.rules().size()
                                     + " rules, the first that matches a recipient wins");
        for (RoutingRule rule : table.rules()) {
            report.ok("routing", "rule", LogText.oneLine(rule.describe(), 600));
        }
        RoutedRecipient.of(situation).ifPresent(routed -> report.ok("routing", "to", "--to "
                + LogText.oneLine(routed.recipient(), SmtpProbe.ADDRESS_MAX) + " takes relay " + routed.relay() + ": "
                + LogText.oneLine(routed.rule().describe(), 600) + " (sender " + (routed.sender().isEmpty() ? "<>"
                : LogText.oneLine(routed.sender(), SmtpProbe.ADDRESS_MAX)) + ")"));
    }
}
