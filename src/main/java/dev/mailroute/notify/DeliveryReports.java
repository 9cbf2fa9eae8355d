package dev.mailroute.notify;

import java.io.ByteArrayInputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;

import dev.mailroute.delivery.DeliveryOutcomes;
import dev.mailroute.ledger.LedgerEvent;
import dev.mailroute.message.Dsn;
import dev.mailroute.message.Handover;
import dev.mailroute.message.MessageHeaders;
import dev.mailroute.observability.MailEvents;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sender's report of a failed delivery attempt, in two steps of the deliver route. First,
 * before the attempt's copies are sent, {@link #prepare} decides whether the sender is told and
 * writes the report: recipients this attempt parked for good (Action: failed), and — once per
 * message, after {@code mailroute.bounce.delayWarning} — recipients still being retried (Action:
 * delayed), marking the retry so that no second delay notice follows. Last, {@link #swapIn} puts
 * the report in place of the exchange's message, for {@code mail.outbound}: in the same queue
 * transaction as the parking and the retry, so a message is parked or retried with its report,
 * or not at all.
 *
 * <p>Never backscatter: no report to the null sender, none about a report or an auto-submitted
 * message (RFC 3834), none the sender did not ask for (NOTIFY without FAILURE, or without DELAY
 * for a delay notice), none to a sender outside {@code mailroute.bounce.domains}, none past a
 * sender's hourly share. Every message mailroute accepted came from an authenticated or
 * allow-listed client and passed the sender policy, so a report only ever goes to such a
 * sender. A refusal during the SMTP dialogue never gets here: that message was never accepted.
 */
public final class DeliveryReports {

    /** Exchange property: the report's bytes, when there is one to queue. */
    public static final String REPORT = "mailrouteReport";
    private static final String KIND = "mailrouteReportKind";
    /** The ingress a report is accepted from, in the ledger and on the queue. */
    public static final String INGRESS = "report";

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryReports.class);

    private final BounceSettings settings;
    private final String reportingMta;
    private final InternetAddress from;
    private final SenderRateCap rateCap;
    private final MailEvents events;
    private final LongSupplier clock;

    /** @param reportingMta the name in Reporting-MTA and MAILER-DAEMON@ */
    public DeliveryReports(BounceSettings settings, String reportingMta, MailEvents events, LongSupplier clock) {
        this.settings = settings;
        this.reportingMta = reportingMta;
        this.from = settings.sender() != null ? settings.sender() : mailerDaemon(this.reportingMta);
        this.rateCap = new SenderRateCap(settings.maxPerSenderPerHour(), clock);
        this.events = events;
        this.clock = clock;
    }

    /**
     * After an attempt, delivered or not: what the sender is to hear of it, if anything. Failed
     * recipients (unless NOTIFY leaves FAILURE out), once per message a delay notice (unless it
     * leaves DELAY out), and — only when NOTIFY asks for SUCCESS and the next system will not tell,
     * as a relay that does not announce DSN or a pickup folder will not — the recipients handed
     * over, as "relayed" (RFC 3461 5.2.2.3, as Postfix does). A relay that announces DSN got NOTIFY
     * and reports success itself.
     */
    @SuppressWarnings("unchecked")
    public void prepare(Exchange exchange) {
        exchange.removeProperty(REPORT);
        Message in = exchange.getMessage();
        long now = clock.getAsLong();
        List<LedgerEvent.Outcome> failed = exchange.getProperty(DeliveryOutcomes.PARKED, List.of(), List.class);
        List<LedgerEvent.Outcome> delayed = List.of();
        if (delayDue(in, now)) {
            delayed = exchange.getProperty(DeliveryOutcomes.DEFERRED, List.of(), List.class);
        }
        if (!delayed.isEmpty()) {
            // once per message, sent or not: the retry carries the mark
            in.setHeader(MessageHeaders.DELAY_NOTIFIED, true);
        }
        Dsn dsn = dsn(in);
        List<LedgerEvent.Outcome> relayed = List.of();
        if (dsn.notifyOn().contains(Dsn.Notify.SUCCESS)
            && Boolean.TRUE.equals(exchange.getProperty(DeliveryOutcomes.NO_DSN_ONWARD, Boolean.class))) {
            relayed = exchange.getProperty(DeliveryOutcomes.OUTCOMES, List.of(), List.class).stream()
                    .filter(o -> ((LedgerEvent.Outcome) o).state().equals("delivered")).toList();
        }
        if (failed.isEmpty() && delayed.isEmpty() && relayed.isEmpty()) {
            return; // nothing to tell, or a foreign message: no sender mailroute can trust
        }
        String id = in.getHeader(MessageHeaders.ID, String.class);
        String kind = !failed.isEmpty() ? "failure" : !delayed.isEmpty() ? "delay" : "relayed";
        byte[] original = exchange.getProperty(DeliveryOutcomes.QUEUED_BYTES, byte[].class);
        String skipped = skipped(in.getHeader(MessageHeaders.SENDER, "", String.class),
                in.getHeader(MessageHeaders.INGRESS, String.class), original);
        if (skipped == null && !dsn.notifyOn().isEmpty()) {
            // an explicit NOTIFY: only what it names
            failed = dsn.notifyOn().contains(Dsn.Notify.FAILURE) ? failed : List.of();
            delayed = dsn.notifyOn().contains(Dsn.Notify.DELAY) ? delayed : List.of();
            skipped = failed.isEmpty() && delayed.isEmpty() && relayed.isEmpty() ? "notify" : null;
        }
        String sender = in.getHeader(MessageHeaders.SENDER, String.class);
        if (skipped == null) {
            skipped = !settings.reportsTo(sender) ? "domain" : !rateCap.take(sender) ? "rate" : null;
        }
        if (skipped != null) {
            events.report(kind, id, null, skipped);
            return;
        }
        try {
            exchange.setProperty(KIND, !failed.isEmpty() ? "failure" : !delayed.isEmpty() ? "delay" : "relayed");
            exchange.setProperty(REPORT, new DeliveryReport(reportingMta, from, new InternetAddress(sender, false), id,
                    in.getHeader(MessageHeaders.ACCEPTED_AT, now, Long.class), now, dsn, original, failed,
                    delayed, relayed, exchange.getProperty(DeliveryOutcomes.RETRY_UNTIL, now, Long.class),
                    exchange.getProperty(DeliveryOutcomes.REMOTE_MTA, String.class)).toBytes());
        } catch (MessagingException | java.io.IOException | RuntimeException e) {
            // the parking or the retry stands; a report that cannot be written must not undo it
            LOG.error("no delivery report for {}: it could not be written: {}", id, e.toString());
            events.report(kind, id, null, "unwritable");
        }
    }

    /** The report, as a message of its own, in place of the exchange's: the last step before mail.outbound. */
    public void swapIn(Exchange exchange) {
        Message in = exchange.getMessage();
        byte[] report = exchange.getProperty(REPORT, byte[].class);
        String id = in.getHeader(MessageHeaders.ID, String.class);
        String sender = in.getHeader(MessageHeaders.SENDER, String.class);
        String reportId = UUID.randomUUID().toString();
        // a message of its own: nothing of the original's contract or history goes with it
        in.getHeaders().clear();
        in.getHeaders().putAll(contract(reportId, sender, report.length));
        in.setBody(report);
        exchange.setProperty(Handover.SUBMITTER, "mailroute: report on " + id);
        exchange.setProperty(Handover.REPORT_OF, id);
        events.report(exchange.getProperty(KIND, String.class), id, reportId, null);
    }

    /** A report as a message of its own for mail.outbound: its id, MIME and queue contract. */
    public record Report(String id, byte[] mime, Map<String, Object> contract) {
    }

    /**
     * The report to the sender of a message an operator deleted ({@code queue delete
     * --notify-sender}, Exchange's {@code Remove-Message -WithNDR}): every recipient failed, "deleted
     * by an operator", under the same rules as any report (no backscatter, NOTIFY, domains, rate).
     *
     * @param contract the message's queue contract, as it was on the queue
     * @return the report, or null when the sender gets none
     */
    public Report deleted(String id, byte[] original, Map<String, Object> contract, String operator) {
        String sender = contract.get(MessageHeaders.SENDER) == null ? "" : String.valueOf(contract.get(MessageHeaders.SENDER));
        Dsn dsn;
        try {
            dsn = Dsn.fromLines(text(contract, MessageHeaders.DSN_NOTIFY), text(contract, MessageHeaders.DSN_RET),
                    text(contract, MessageHeaders.DSN_ENVID), text(contract, MessageHeaders.DSN_ORCPT));
        } catch (IllegalArgumentException e) {
            dsn = Dsn.NONE;
        }
        String skipped = skipped(sender, text(contract, MessageHeaders.INGRESS), original);
        if (skipped == null && !dsn.notifyOn().isEmpty() && !dsn.notifyOn().contains(Dsn.Notify.FAILURE)) {
            skipped = "notify";
        }
        if (skipped == null) {
            skipped = !settings.reportsTo(sender) ? "domain" : !rateCap.take(sender) ? "rate" : null;
        }
        if (skipped != null) {
            events.report("failure", id, null, skipped);
            return null;
        }
        long now = clock.getAsLong();
        String reason = "deleted by an operator (" + operator + "); not delivered";
        List<LedgerEvent.Outcome> failed = java.util.Arrays.stream(String.valueOf(
                        contract.getOrDefault(MessageHeaders.RECIPIENTS, "")).split(","))
                .map(String::trim).filter(a -> !a.isEmpty())
                .map(a -> new LedgerEvent.Outcome(a, "failed", -1, "5.0.0", reason)).toList();
        try {
            Object acceptedAt = contract.get(MessageHeaders.ACCEPTED_AT);
            byte[] report = new DeliveryReport(reportingMta, from, new InternetAddress(sender, false), id,
                    acceptedAt instanceof Number n ? n.longValue() : now, now, dsn, original, failed, List.of(),
                    List.of(), now, null).toBytes();
            String reportId = UUID.randomUUID().toString();
            events.report("failure", id, reportId, null);
            return new Report(reportId, report, contract(reportId, sender, report.length));
        } catch (MessagingException | java.io.IOException | RuntimeException e) {
            // the delete stands; a report that cannot be written must not undo it
            LOG.error("no delivery report for deleted {}: it could not be written: {}", id, e.toString());
            events.report("failure", id, null, "unwritable");
            return null;
        }
    }

    private static String text(Map<String, Object> contract, String name) {
        Object value = contract.get(name);
        return value == null ? null : String.valueOf(value);
    }

    /** A report's queue contract: to the sender (and copyTo), from the reports' sender, asking for no report. */
    private Map<String, Object> contract(String reportId, String sender, int size) {
        Map<String, Object> contract = new LinkedHashMap<>();
        contract.put(MessageHeaders.ID, reportId);
        contract.put(MessageHeaders.INGRESS, INGRESS);
        contract.put(MessageHeaders.SENDER, settings.sender() == null ? "" : settings.sender().getAddress());
        contract.put(MessageHeaders.RECIPIENTS, settings.copyTo() == null ? sender
                : sender + ", " + settings.copyTo().getAddress());
        // a report asks for no report of its own (RFC 3461 4.1)
        contract.put(MessageHeaders.DSN_NOTIFY, "NEVER");
        contract.put(MessageHeaders.SIZE, (long) size);
        contract.put(MessageHeaders.ACCEPTED_AT, clock.getAsLong());
        return contract;
    }

    /** A delay notice is due: enabled, none yet for this message, and it has waited long enough. */
    private boolean delayDue(Message in, long now) {
        Long first = in.getHeader(MessageHeaders.FIRST_ATTEMPT, Long.class);
        return settings.delayWarningMillis() > 0 && first != null && now - first >= settings.delayWarningMillis()
               && !Boolean.TRUE.equals(in.getHeader(MessageHeaders.DELAY_NOTIFIED, Boolean.class));
    }

    /** Why no report is sent about this message whatever its recipients, or null. */
    private String skipped(String sender, String ingress, byte[] original) {
        if (!settings.enabled()) {
            return "disabled";
        }
        if (sender == null || sender.isEmpty()) {
            return "null-sender";
        }
        if (INGRESS.equals(ingress)) {
            return "report";
        }
        try {
            InternetHeaders headers = new InternetHeaders(new ByteArrayInputStream(original));
            String type = headers.getHeader("Content-Type", null);
            if (type != null && type.toLowerCase(Locale.ROOT).replace(" ", "").startsWith("multipart/report")) {
                return "report";
            }
            String auto = headers.getHeader("Auto-Submitted", null);
            if (auto != null && !auto.replaceAll("\\(.*?\\)|;.*", "").strip().equalsIgnoreCase("no")) {
                return "auto-submitted";
            }
        } catch (MessagingException e) {
            return "unreadable";
        }
        return null;
    }

    private static Dsn dsn(Message in) {
        try {
            return Dsn.fromLines(in.getHeader(MessageHeaders.DSN_NOTIFY, String.class),
                    in.getHeader(MessageHeaders.DSN_RET, String.class), in.getHeader(MessageHeaders.DSN_ENVID, String.class),
                    in.getHeader(MessageHeaders.DSN_ORCPT, String.class));
        } catch (IllegalArgumentException e) {
            return Dsn.NONE;
        }
    }

    private static InternetAddress mailerDaemon(String host) {
        try {
            return new InternetAddress("MAILER-DAEMON@" + host, "Mail Delivery System", "us-ascii");
        } catch (java.io.UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
