package dev.mailroute.diagnostics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.observability.LogText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code queue hold|release|retry|delete|requeue}: one operation on the messages one selection
 * names — one id, a filter, or {@code --all ALL} — and the counts the instance answers. A command
 * line that names no messages is refused rather than taken for all of them; so is {@code --all}
 * with anything but the word {@code ALL}.
 */
@Command(name = "operation")
final class QueueOperation extends QueueVerb {

    /** Each operation by its name. */
    static final Map<String, Operation> OPERATIONS = operations();

    @Option(names = "--id", paramLabel = "ID", description = "the message with this mailroute id (alone: no filter"
            + " goes with it)")
    String id;

    @Mixin
    QueueFilter filter;

    @Option(names = "--all", paramLabel = "ALL", description = "every message: the word ALL itself, so that it is"
            + " never said by accident (no filter at all is refused)")
    String all;

    @Option(names = "--dry-run", description = "count what would be touched; touch nothing")
    boolean dryRun;

    @Option(names = "--notify-sender", description = "delete only: each message's sender gets a report that it was"
            + " deleted and not delivered (as Exchange's Remove-Message -WithNDR), under the rules of every report")
    boolean notifySender;

    /** The synopsis of each operation's help: the selection is one of three. */
    static final String SYNOPSIS = "mailroute queue %s (--id ID | [--from ADDRESS] [--to ADDRESS]"
                                   + " [--message-id MESSAGE-ID] [--since TIME] | --all ALL) [--dry-run] [--json]"
                                   + " [--url URL]%s";

    private final String operation;

    QueueOperation(String operation, Map<String, String> overrides, Function<String, String> environment) {
        super(overrides, environment);
        this.operation = operation;
    }

    /** What an operation does (its help), and the word for what it did. */
    record Operation(String help, String done) {
    }

    private static Map<String, Operation> operations() {
        Map<String, Operation> operations = new LinkedHashMap<>();
        operations.put("hold", new Operation("Hold messages: move them from mail.outbound (deferred ones too) to"
                + " mail.held, where delivery leaves them until they are released.", "held"));
        operations.put("release", new Operation("Release held messages: move them from mail.held back to"
                + " mail.outbound, to be delivered.", "released"));
        operations.put("retry", new Operation("Retry deferred messages now rather than at their next attempt.",
                "retried"));
        operations.put("delete", new Operation("Delete messages from mail.outbound and mail.held, for good: they"
                + " are not delivered.", "deleted"));
        operations.put("requeue", new Operation("Requeue failed messages: from mail.failed (and the failed/ folder)"
                + " back to mail.outbound, with a fresh retry budget.", "requeued"));
        return operations;
    }

    /** The request's body: exactly one of id, filter, all; dryRun when asked. */
    private ObjectNode body() {
        Map<String, String> fields = filter.fields(this::usage);
        QueueFilter.notBlank("--id", id, this::usage);
        QueueFilter.notBlank("--all", all, this::usage);
        if (all != null && !all.equals("ALL")) {
            throw usage("--all: '" + LogText.oneLine(all, 40) + "' is not the word ALL, which --all needs to touch"
                        + " every message. Fix: --all ALL, or name the messages with --id or a filter");
        }
        int selections = (id != null ? 1 : 0) + (fields.isEmpty() ? 0 : 1) + (all != null ? 1 : 0);
        if (selections == 0) {
            throw usage("which messages? Fix: --id ID, or a filter (--from, --to, --message-id, --since), or --all ALL"
                        + " for every message (no filter never means all)");
        }
        if (selections > 1) {
            throw usage("--id, a filter (--from, --to, --message-id, --since) and --all go alone. Fix: give one of"
                        + " them");
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        if (id != null) {
            body.put("id", id);
        } else if (all != null) {
            body.put("all", all);
        } else {
            fields.forEach(body.putObject("filter")::put);
        }
        if (dryRun) {
            body.put("dryRun", true);
        }
        if (notifySender) {
            if (!operation.equals("delete")) {
                throw usage("--notify-sender goes with delete only. Fix: leave it out");
            }
            if (all != null) {
                throw usage("--notify-sender tells the senders of messages named by --id or a filter, not of --all."
                            + " Fix: name the messages");
            }
            body.put("notifySender", true);
        }
        return body;
    }

    @Override
    void check() {
        body();
    }

    @Override
    int ask(AdminClient client) throws AdminClient.Failure {
        AdminClient.Answer answer = client.post("/api/v1/admin/queue/" + operation, body());
        if (answer.status() == 404 && id != null && answer.body().path("type").asText().endsWith(":not-found")) {
            out().println(operation + ": no message " + LogText.oneLine(id, 64) + " at " + client.where());
            return 1;
        }
        if (answer.status() != 200) {
            throw client.refused(answer, QueueCommand.NO_ADMIN_API);
        }
        long matched = answer.body().path("matched").asLong();
        if (json) {
            printJson(answer.body());
        } else if (matched == 0) {
            out().println(operation + (dryRun ? " (dry run)" : "") + ": nothing matched");
        } else {
            long touched = answer.body().path("touched").asLong();
            String done = OPERATIONS.get(operation).done();
            out().println(operation + (dryRun ? " (dry run): " : ": ") + matched + " matched, "
                          + (dryRun ? "none " + done : touched + " " + done));
        }
        return matched == 0 ? 1 : 0;
    }
}
