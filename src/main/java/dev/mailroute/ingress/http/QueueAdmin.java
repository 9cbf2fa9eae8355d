package dev.mailroute.ingress.http;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.accept.BoundedBody;
import dev.mailroute.accept.Problem;
import dev.mailroute.accept.RejectedMessageException;
import dev.mailroute.ledger.Ledger;
import dev.mailroute.ledger.LedgerSelection;
import dev.mailroute.observability.LogText;
import dev.mailroute.observability.MailEvents;
import dev.mailroute.queue.DeliverySwitch;
import dev.mailroute.queue.MessageSelectors;
import dev.mailroute.queue.QueueOperations;
import dev.mailroute.queue.QueuedMessageLookup;
import dev.mailroute.message.Handover;
import dev.mailroute.message.MessageHeaders;
import dev.mailroute.settings.UrlCredentials;
import jakarta.jms.JMSException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's API over the queue ({@code /api/v1/admin/}, docs/queue.md): what waits where,
 * hold / release / retry / delete / requeue by id, by a filter over the ledger's search fields or ALL, and
 * suspending or resuming delivery. A filter is resolved to ids through the ledger, and the broker is
 * asked for exactly those ids; {@code matched} says how many the selection found, {@code touched}
 * how many the broker moved, removed or offered. Each operation is one audit line
 * ({@code event=queue-operation}) and, for hold, release, delete and requeue, a state change in
 * the ledger naming the admin key.
 */
public final class QueueAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(QueueAdmin.class);
    /** Messages one filter may select; more is refused (narrow the filter, or say ALL). */
    static final int MAX_MATCHED = 100_000;
    private static final long SWITCH_WAIT_MILLIS = 30_000;
    private static final Set<String> LISTED_STATES = Set.of("queued", "deferred", "held", "failed");

    private final QueueOperations queue;
    private final DeliverySwitch deliverySwitch;
    private final LedgerSelection selection;
    private final Ledger ledger;
    private final MailEvents events;
    private final List<Relay> relays;
    private final MessageStatus status;
    private final LongSupplier clock;
    private final ParkedFiles parkedFiles;
    private final SenderNotices senderNotices;
    private final ObjectMapper mapper = new ObjectMapper();

    /** One operation: which queue states it applies to, and what it makes of them in the ledger (null: nothing). */
    private enum Operation {
        HOLD(List.of("queued", "deferred"), "held"),
        RELEASE(List.of("held"), "queued"),
        RETRY(List.of("deferred"), null),
        DELETE(List.of("queued", "deferred", "held"), "deleted"),
        // the ledger's end states of a parked recipient; delivered is not one: it is never sent again
        REQUEUE(List.of("failed", "bounced", "expired"), "queued");

        final List<String> from;
        final String to;

        Operation(List<String> from, String to) {
            this.from = from;
            this.to = to;
        }

        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The report to the sender of a message an operator deletes with notifySender (notify's
     * delivery reports, as wired), or null when its sender gets none.
     */
    public interface SenderNotices {
        QueueOperations.Notice notice(String id, byte[] mime, Map<String, Object> contract, String operator);
    }

    /** A parked message's files in failed/ (the delivery stage's FailedFolder, as wired). */
    public interface ParkedFiles {
        List<Path> of(String id) throws IOException;

        void remove(List<Path> files) throws IOException;
    }

    /**
     * A relay as the overview shows it: its name, the queue its deliveries wait on and its circuit's
     * state (CLOSED, OPEN, HALF_OPEN).
     */
    public record Relay(String name, String queue, Supplier<String> circuit) {
    }

    /**
     * @param selection the ledger's selection, or null when the ledger is off (then only id and ALL)
     * @param relays the gateway's relays, the one named default first
     * @param status the search, for the queue's listing
     * @param parkedFiles failed/, whose files of a requeued message go once it is queued again
     */
    public QueueAdmin(QueueOperations queue, DeliverySwitch deliverySwitch, LedgerSelection selection, Ledger ledger,
                      MailEvents events, List<Relay> relays, MessageStatus status, LongSupplier clock,
                      ParkedFiles parkedFiles, SenderNotices senderNotices) {
        this.parkedFiles = parkedFiles;
        this.senderNotices = senderNotices;
        this.queue = queue;
        this.deliverySwitch = deliverySwitch;
        this.selection = selection;
        this.ledger = ledger;
        this.events = events;
        this.relays = List.copyOf(relays);
        this.status = status;
        this.clock = clock;
    }

    /** GET /api/v1/admin/queue */
    public void summary(Exchange exchange) throws HttpProblemException {
        QueueOperations.Depths depths;
        try {
            depths = queue.depths();
        } catch (JMSException | RuntimeException e) {
            throw brokerUnavailable(e);
        }
        ObjectNode body = mapper.createObjectNode();
        ObjectNode queues = body.putObject("queues");
        queues.put("outbound", depths.outbound());
        queues.put("deferred", depths.deferred());
        queues.put("held", depths.held());
        queues.put("failed", depths.failed());
        Long oldest = null;
        if (selection != null) {
            try {
                oldest = selection.oldestWaiting();
            } catch (SQLException | RuntimeException e) {
                LOG.warn("queue summary: cannot read the ledger: {}", reason(e));
            }
        }
        if (oldest == null) {
            body.putNull("oldestAcceptedAt");
        } else {
            body.put("oldestAcceptedAt", Instant.ofEpochMilli(oldest).toString());
        }
        body.put("delivery", deliverySwitch.operatorSuspended() ? "suspended" : "running");
        // this instance's, to one decimal: a rate, not a count to reconcile
        body.put("deliveredPerMinute", Math.round(events.deliveredPerMinute() * 10) / 10.0);
        body.put("circuit", relays.get(0).circuit().get());
        ArrayNode list = body.putArray("relays");
        for (Relay relay : relays) {
            ObjectNode shown = list.addObject();
            shown.put("name", relay.name());
            shown.put("delivery", deliverySwitch.operatorSuspended(relay.name()) ? "suspended" : "running");
            shown.put("circuit", relay.circuit().get());
            try {
                shown.put("waiting", queue.count(relay.queue()));
            } catch (JMSException | RuntimeException e) {
                shown.putNull("waiting"); // a relay's queue is made when its route first starts
            }
        }
        HttpAnswers.answer(exchange.getMessage(), 200, "application/json", body);
    }

    /** GET /api/v1/admin/queue/messages?state=queued|deferred|held|failed&...: the ledger's search. */
    public void messages(Exchange exchange) throws HttpProblemException {
        String query = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        SearchParameters parameters = SearchParameters.read(query, null, clock);
        String state = parameters.filter().state();
        if (state != null && !LISTED_STATES.contains(state)) {
            throw OperationRequest.invalid(List.of(new Problem("state", "'" + state + "' is not a state of the"
                    + " queue; one of deferred, failed, held, queued (GET /api/v1/messages shows the others)")));
        }
        exchange.setProperty(HttpRequestCheck.READER, new HttpRequestCheck.Reader(
                exchange.getProperty(HttpRequestCheck.OPERATOR, String.class), true));
        status.search(exchange);
    }

    /**
     * True when the ledger shows every recipient, each delivered or deleted: the broker is not asked.
     * Such a message is on no queue — deleted ones are removed before the ledger says so, and a
     * delivered one is gone or still in its delivery's hands, where a browser does not see it either.
     * Asking the broker about a message it does not have goes through each queue (seconds with
     * 100,000 queued), and the console asks again every few seconds while the message is on screen.
     */
    private static boolean gone(ObjectNode story) {
        if (story == null || !story.path("recipients").isArray() || story.path("recipients").isEmpty()
            || story.path("recipients").size() < story.path("recipientCount").asInt()) {
            return false; // not every recipient shown: it may yet wait for one of the others
        }
        for (com.fasterxml.jackson.databind.JsonNode recipient : story.path("recipients")) {
            String state = recipient.path("state").asText();
            if (!state.equals("delivered") && !state.equals("deleted")) {
                return false;
            }
        }
        return true;
    }

    /**
     * GET /api/v1/admin/queue/messages/{id}: where the message waits and what it is, from the broker
     * (by its id, never by browsing a queue), with its story from the ledger.
     */
    public void detail(Exchange exchange) throws HttpProblemException {
        Message in = exchange.getMessage();
        String id = lastSegment(in, "/api/v1/admin/queue/messages/");
        if (!MessageSelectors.isId(id)) {
            throw OperationRequest.invalid(List.of(new Problem("id", "'" + SearchParameters.shown(id, 64)
                    + "' is not a mailroute id (a UUID)")));
        }
        ObjectNode story = status.adminStory(id);
        java.util.Optional<QueuedMessageLookup.Found> found = java.util.Optional.empty();
        if (!gone(story)) {
            try {
                found = queue.lookup().find(id);
            } catch (JMSException | RuntimeException e) {
                throw brokerUnavailable(e);
            }
        }
        if (found.isEmpty() && story == null) {
            throw new HttpProblemException(404, HttpAnswers.TYPE_NOT_FOUND, "Not found", "no message with id '" + id
                    + "' on the queues or in the ledger");
        }
        ObjectNode body = mapper.createObjectNode();
        body.put("id", id);
        ObjectNode envelope = mapper.createObjectNode();
        if (found.isPresent()) {
            QueuedMessageLookup.Found message = found.get();
            body.put("queue", message.queue().substring("mail.".length()));
            if (message.deferredUntil() == null) {
                body.putNull("deferredUntil");
            } else {
                body.put("deferredUntil", Instant.ofEpochMilli(message.deferredUntil()).toString());
            }
            Object size = message.properties().get(MessageHeaders.SIZE);
            body.put("size", size instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(
                    size == null ? (message.mime() == null ? 0 : message.mime().length) : size)));
            envelope.put("from", String.valueOf(message.properties().getOrDefault(MessageHeaders.SENDER, "")));
            ArrayNode to = envelope.putArray("to");
            String recipients = String.valueOf(message.properties().getOrDefault(MessageHeaders.RECIPIENTS, ""));
            for (String recipient : recipients.split(",\\s*")) {
                if (!recipient.isBlank()) {
                    to.add(recipient.trim());
                }
            }
        } else {
            body.putNull("queue");
            body.putNull("deferredUntil");
            body.put("size", story.path("size").asLong());
            envelope.put("from", story.path("sender").asText(""));
            ArrayNode to = envelope.putArray("to");
            story.path("recipients").forEach(recipient -> to.add(recipient.path("address").asText()));
        }
        body.set("envelope", envelope);
        if (found.isPresent() && found.get().mime() != null) {
            QueuedMessageDetail.describe(found.get().mime(), found.get().cut(), body);
        } else {
            body.putArray("headers");
            body.put("headersOmitted", 0);
            body.putNull("preview");
        }
        if (story == null) {
            body.putNull("ledger");
        } else {
            body.set("ledger", story);
        }
        HttpAnswers.answer(in, 200, "application/json", body);
    }

    /** POST /api/v1/admin/queue/{operation} */
    public void operate(Exchange exchange) throws HttpProblemException, IOException, RejectedMessageException {
        Message in = exchange.getMessage();
        String operator = exchange.getProperty(HttpRequestCheck.OPERATOR, String.class);
        Operation operation = operation(lastSegment(in, "/api/v1/admin/queue/"));
        byte[] body = BoundedBody.read(in, OperationRequest.MAX_BODY, "the operation",
                "is empty; send {\"id\": ..}, {\"filter\": {..}} or {\"all\": \"ALL\"}");
        OperationRequest request = OperationRequest.read(body, mapper, clock);
        if (request.notifySender() && operation != Operation.DELETE) {
            throw OperationRequest.invalid(List.of(new Problem("notifySender", "only a delete tells the senders")));
        }

        if (operation == Operation.REQUEUE && selection == null) {
            throw new HttpProblemException(409, HttpAnswers.TYPE_LEDGER_OFF, "Ledger off",
                    "requeue: the copy on mail.failed names every recipient of its attempt, delivered ones too; only"
                    + " the ledger tells which failed, and it is off (mailroute.ledger.enabled=false)");
        }
        List<String> ids = null; // null: every message (ALL)
        long matched;
        try {
            if (request.all() && operation == Operation.REQUEUE) {
                // every message the ledger has as failed: what is on mail.failed without a ledger record cannot tell
                ids = select(request, operation);
                if (ids.size() > MAX_MATCHED) {
                    throw tooMany("all");
                }
                matched = ids.size();
            } else if (request.all()) {
                matched = switch (operation) {
                    case HOLD -> queue.waiting();
                    case RELEASE -> queue.count(QueueOperations.HELD);
                    case RETRY -> queue.deferred();
                    case DELETE -> queue.waiting() + queue.count(QueueOperations.HELD);
                    case REQUEUE -> throw new IllegalStateException("requeue ALL is resolved through the ledger");
                };
            } else if (request.id() != null) {
                ids = List.of(request.id());
                matched = selection == null ? 0 : select(request, operation).size();
            } else {
                if (selection == null) {
                    throw new HttpProblemException(409, HttpAnswers.TYPE_LEDGER_OFF, "Ledger off",
                            "filter: a filter is resolved through the ledger, and the ledger is off"
                            + " (mailroute.ledger.enabled=false); give an id, or all: \"ALL\"");
                }
                ids = select(request, operation);
                if (ids.size() > MAX_MATCHED) {
                    throw tooMany("filter");
                }
                matched = ids.size();
            }
        } catch (SQLException e) {
            throw ledgerUnavailable(e);
        } catch (JMSException | RuntimeException e) {
            throw brokerUnavailable(e);
        }

        long touched = 0;
        if (!request.dryRun()) {
            List<String> selectors = ids == null ? List.of(MessageSelectors.ALL) : MessageSelectors.byIds(ids);
            try {
                if (operation == Operation.DELETE && request.notifySender()) {
                    // only what was taken off the queue is recorded deleted (a message delivered meanwhile is not)
                    ids = queue.deleteTelling(ids, telling(operator));
                    touched = ids.size();
                } else {
                    touched = switch (operation) {
                        case HOLD -> queue.hold(selectors);
                        case RELEASE -> queue.release(selectors);
                        case RETRY -> queue.retry(selectors);
                        case DELETE -> queue.delete(selectors);
                        case REQUEUE -> queue.requeue(ids, new Requeue(operator));
                    };
                }
            } catch (JMSException | RuntimeException e) {
                throw brokerUnavailable(e);
            }
            if (operation == Operation.REQUEUE) {
                // the ledger's record is written per message as each is requeued (Requeue.recipients)
                ids = null;
            }
            if (request.id() != null) {
                // the ledger may not know of it yet (or be off): the broker's answer counts
                matched = Math.max(matched, touched);
            }
            if (operation != Operation.REQUEUE) {
                record(operation, ids, operator);
            }
            if (ids != null && operation.to != null && operation != Operation.REQUEUE && touched > 0) {
                // for the webhooks (routes/admin-queue-operation.yaml): the messages and their new state
                String state = operation == Operation.RELEASE ? "released" : operation.to;
                exchange.setProperty(Handover.OPERATED_IDS, List.copyOf(ids));
                exchange.setProperty(Handover.OPERATED_STATE, state);
                exchange.setProperty(Handover.OPERATED_NOTE, state + " by " + operator);
            }
        }
        events.queueOperation(operator, operation.word(), request.shown(), matched, touched, request.dryRun());
        ObjectNode answer = mapper.createObjectNode();
        answer.put("operation", operation.word());
        answer.put("matched", matched);
        answer.put("touched", touched);
        answer.put("dryRun", request.dryRun());
        HttpAnswers.answer(in, 200, "application/json", answer);
    }

    /**
     * One requeue's work around the broker's transaction, message by message. The order keeps the
     * bytes and failed/ consistent: failed/'s files of the message are listed before its parked
     * copies are taken off mail.failed, and removed only after the new copy is committed on
     * mail.outbound — so the bytes are always on a queue or in failed/ (after a crash between the
     * two, both: the files of a message queued again are then left over, never a message lost).
     * Listing first means a new parking of the requeued message, which may happen as soon as it is
     * committed, is not removed with them. The recipients sent again are those the ledger has as
     * failed, bounced or expired: a recipient delivered in the attempt that parked the others is not.
     */
    private final class Requeue implements QueueOperations.Requeuing {

        private final String operator;
        private final Map<String, List<Path>> files = new ConcurrentHashMap<>();

        Requeue(String operator) {
            this.operator = operator;
        }

        @Override
        public Set<String> recipients(String id, Set<String> onCopies) {
            List<String> failed;
            try {
                failed = selection.recipients(id, Operation.REQUEUE.from);
            } catch (SQLException e) {
                LOG.error("requeue {}: cannot read the ledger, left on mail.failed: {}", id, reason(e));
                return Set.of();
            }
            Set<String> wanted = new LinkedHashSet<>();
            failed.forEach(a -> wanted.add(a.toLowerCase(Locale.ROOT)));
            Set<String> recipients = new LinkedHashSet<>();
            for (String address : onCopies) {
                if (wanted.contains(address.toLowerCase(Locale.ROOT))) {
                    recipients.add(address);
                }
            }
            return recipients;
        }

        /**
         * Before the commit: the ledger writes in order, so the requeued message's next attempt,
         * numbered after the attempts recorded, is written after this and has the last word.
         */
        @Override
        public void committing(String id) {
            ledger.operated(List.of(id), Operation.REQUEUE.from, Operation.REQUEUE.to, "requeued by " + operator,
                    clock.getAsLong());
        }

        /**
         * The commit failed, the copies are still parked: the ledger says so again, so that a later
         * requeue finds the message. Its recipients that are queued go back to failed — also one
         * released before, should this message have one (noted on the issue; a failed commit on
         * the gateway's own broker means it is stopping or its disk is full).
         */
        @Override
        public void notCommitted(String id, JMSException reason) {
            LOG.error("requeue {}: not committed, left on mail.failed: {}", id, reason(reason));
            ledger.operated(List.of(id), List.of(Operation.REQUEUE.to), "failed",
                    "requeue by " + operator + " not committed; still parked", clock.getAsLong());
        }

        @Override
        public void before(String id) {
            try {
                files.put(id, parkedFiles.of(id));
            } catch (IOException e) {
                LOG.warn("requeue {}: cannot list its files in failed/ (they stay): {}", id, reason(e));
                files.put(id, List.of());
            }
        }

        @Override
        public void after(String id) {
            try {
                parkedFiles.remove(files.getOrDefault(id, List.of()));
            } catch (IOException e) {
                LOG.warn("requeue {}: queued again, but its files in failed/ could not be removed: {}", id, reason(e));
            }
        }
    }

    /** POST /api/v1/admin/delivery/{action}[?relay=name]: suspend or resume, every relay or one */
    public void delivery(Exchange exchange) throws HttpProblemException {
        Message in = exchange.getMessage();
        String action = lastSegment(in, "/api/v1/admin/delivery/");
        String relay = relayParameter(in.getHeader(Exchange.HTTP_QUERY, String.class));
        boolean suspend;
        if ("suspend".equals(action)) {
            suspend = true;
        } else if ("resume".equals(action)) {
            suspend = false;
        } else {
            throw new HttpProblemException(404, HttpAnswers.TYPE_NOT_FOUND, "Not found", "action: '"
                    + SearchParameters.shown(String.valueOf(action), 32) + "' is neither suspend nor resume");
        }
        deliverySwitch.operatorSuspended(relay, suspend, SWITCH_WAIT_MILLIS);
        events.queueOperation(exchange.getProperty(HttpRequestCheck.OPERATOR, String.class), action,
                relay == null ? "" : "relay=" + relay, 0, 0, false);
        ObjectNode answer = mapper.createObjectNode();
        // a relay resumed on its own stays suspended while all delivery is: the answer says what is
        answer.put("delivery", (relay == null ? deliverySwitch.operatorSuspended()
                : deliverySwitch.operatorSuspended(relay)) ? "suspended" : "running");
        if (relay != null) {
            answer.put("relay", relay);
        }
        HttpAnswers.answer(in, 200, "application/json", answer);
    }

    /** The relay of {@code ?relay=name}, one of this gateway's; null when the query names none. */
    private String relayParameter(String query) throws HttpProblemException {
        if (query == null || query.isEmpty()) {
            return null;
        }
        String relay = null;
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!name.equals("relay") || relay != null) {
                throw OperationRequest.invalid(List.of(new Problem(SearchParameters.shown(name, 32),
                        relay != null ? "given twice" : "is not a parameter here; relay=<name> is the only one")));
            }
            relay = value;
        }
        String named = relay;
        if (relays.stream().noneMatch(r -> r.name().equals(named))) {
            throw OperationRequest.invalid(List.of(new Problem("relay", "'" + SearchParameters.shown(named, 32)
                    + "' is not a relay of this gateway (" + String.join(", ", relays.stream().map(Relay::name)
                    .toList()) + ")")));
        }
        return relay;
    }

    /** Each deleted message's report, from notify; each report queued, into the ledger, linked to its message. */
    private QueueOperations.Telling telling(String operator) {
        return new QueueOperations.Telling() {
            @Override
            public QueueOperations.Notice notice(String id, byte[] mime, Map<String, Object> contract) {
                return senderNotices.notice(id, mime, contract, operator);
            }

            @Override
            public void told(String id, QueueOperations.Notice notice) {
                if (notice != null) {
                    ledger.acceptedReport(notice.id(), notice.mime(), notice.headers(), "mailroute: report on " + id
                                                                                          + ", deleted by " + operator, id);
                }
            }
        };
    }

    private List<String> select(OperationRequest request, Operation operation) throws SQLException {
        return selection.ids(request.id(), request.filter(), operation.from, MAX_MATCHED);
    }

    /** The ledger's state of what was operated on, with the admin key's name, in chunks the database takes. */
    private void record(Operation operation, List<String> ids, String operator) {
        if (operation.to == null) {
            return;
        }
        String note = (operation == Operation.RELEASE ? "released" : operation.to) + " by " + operator;
        long now = clock.getAsLong();
        if (ids == null) {
            ledger.operated(null, operation.from, operation.to, note, now);
            return;
        }
        for (int from = 0; from < ids.size(); from += MessageSelectors.CHUNK) {
            ledger.operated(ids.subList(from, Math.min(ids.size(), from + MessageSelectors.CHUNK)), operation.from,
                    operation.to, note, now);
        }
    }

    private static HttpProblemException tooMany(String field) {
        return new HttpProblemException(400, HttpAnswers.TYPE_TOO_MANY, "Too many messages",
                field + ": matches more than " + MAX_MATCHED + " messages; narrow it (since, until)"
                + ("filter".equals(field) ? ", or give all: \"ALL\"" : ""),
                List.of(new Problem(field, "matches more than " + MAX_MATCHED + " messages")));
    }

    private static Operation operation(String word) throws HttpProblemException {
        if (word != null) {
            for (Operation operation : Operation.values()) {
                if (operation.word().equals(word)) {
                    return operation;
                }
            }
        }
        throw new HttpProblemException(404, HttpAnswers.TYPE_NOT_FOUND, "Not found", "operation: '"
                + SearchParameters.shown(String.valueOf(word), 32) + "' is not one of hold, release, retry, delete,"
                + " requeue");
    }

    /** The path's word after the prefix, as Camel saw the path (no request header can stand in for it). */
    private static String lastSegment(Message in, String prefix) {
        String path = in.getHeader(Exchange.HTTP_PATH, "", String.class);
        return path.startsWith(prefix) ? path.substring(prefix.length()) : "";
    }

    private static String reason(Exception e) {
        return LogText.oneLine(UrlCredentials.mask(String.valueOf(e.getMessage())), 300);
    }

    private static HttpProblemException brokerUnavailable(Exception e) {
        LOG.error("queue operation: the broker did not do it: {}", reason(e), e instanceof JMSException ? null : e);
        return new HttpProblemException(503, HttpAnswers.TYPE_UNAVAILABLE, "Queue unavailable",
                "the broker's management did not answer as asked (the gateway log says why); ask again later");
    }

    private static HttpProblemException ledgerUnavailable(Exception e) {
        LOG.error("queue operation: cannot read the ledger: {}", reason(e));
        return new HttpProblemException(503, HttpAnswers.TYPE_LEDGER_UNAVAILABLE, "Ledger unavailable",
                "the ledger cannot be read just now to resolve the filter (the gateway log says why); ask again later");
    }
}
