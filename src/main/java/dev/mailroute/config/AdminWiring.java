package dev.mailroute.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.mailroute.delivery.FailedFolder;
import dev.mailroute.delivery.smtp.RelayCircuit;
import dev.mailroute.ingress.http.MessageStatus;
import dev.mailroute.ingress.http.QueueAdmin;
import dev.mailroute.ledger.LedgerSelection;
import dev.mailroute.notify.DeliveryReports;
import dev.mailroute.observability.MailEvents;
import dev.mailroute.queue.QueueOperations;
import dev.mailroute.routing.RelayRouter;

import org.apache.camel.CamelContext;

/**
 * The operator's API over the queue ({@code queueAdmin}, routes/admin-*.yaml, docs/queue.md): wired
 * after delivery, whose relay circuit it reports and whose routes its suspend pauses.
 */
final class AdminWiring {

    private AdminWiring() {
    }

    /** @param circuits each relay's circuit, the one named default first */
    static void wire(CamelContext context, QueueWiring.Queue queue, LedgerWiring.Wired ledger, MailEvents events,
                     Map<String, RelayCircuit> circuits, boolean routing, Path failedDir) {
        FailedFolder failed = new FailedFolder(failedDir);
        // delete with notifySender: the sender's report, as notify writes every report
        DeliveryReports reports = context.getRegistry().lookupByNameAndType("deliveryReports", DeliveryReports.class);
        MessageStatus status = context.getRegistry().lookupByNameAndType("messageStatus", MessageStatus.class);
        context.getRegistry().bind("queueAdmin", new QueueAdmin(queue.operations(), queue.deliverySwitch(),
                ledger.database() == null ? null : new LedgerSelection(ledger.database()), ledger.ledger(), events,
                circuits.entrySet().stream().map(relay -> new QueueAdmin.Relay(relay.getKey(),
                        RelayRouter.queueOf(relay.getKey(), routing), () -> relay.getValue().state().name())).toList(), status, System::currentTimeMillis, new QueueAdmin.ParkedFiles() {
                    @Override
                    public List<Path> of(String id) throws IOException {
                        return failed.parkedFiles(id);
                    }

                    @Override
                    public void remove(List<Path> files) throws IOException {
                        failed.remove(files);
                    }
                }, (id, mime, contract, operator) -> {
                    DeliveryReports.Report report = reports.deleted(id, mime, contract, operator);
                    return report == null ? null : new QueueOperations.Notice(report.id(), report.mime(),
                            report.contract());
                }));
    }
}
