package dev.mailroute.delivery;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import dev.mailroute.delivery.DeliveryFailure.RecipientReply;
import dev.mailroute.delivery.smtp.RelayCircuit;
import dev.mailroute.files.FolderCheck;
import dev.mailroute.ledger.Ledger;
import dev.mailroute.ledger.LedgerEvent;
import dev.mailroute.message.ForeignMessageException;
import dev.mailroute.message.InFlightBytes;
import dev.mailroute.message.Dsn;
import dev.mailroute.message.MessageHeaders;
import dev.mailroute.message.QueuedMessage;
import dev.mailroute.observability.MailEvents;
import jakarta.mail.MessagingException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deliver route's steps around a transport, and the one place where an attempt's outcome is
 * carried out: {@link #begin} takes the message off the queue for a transport, {@link #delivered}
 * and {@link #failed} settle it. A failure is classified once ({@link FailureClassifier}), decided
 * by {@link DeliveryDecision}, and then — here, and only here — told to the circuit breaker,
 * parked in failed/, logged and counted. The route then sends what the decision asks for: the
 * copy for {@code mail.failed} ({@link #failedCopy}) and the retry for the deferred recipients
 * ({@link #retryCopy}), both built from the bytes exactly as they were queued.
 *
 * <p>The route's working state lives in exchange properties ({@code mailrouteQueuedBytes},
 * {@code mailrouteTransport}, {@code mailrouteParks}, {@code mailrouteRetryDelay}), never in
 * headers, so nothing of it travels on a queue.
 */
public final class DeliveryOutcomes {

    /** Exchange property: the message bytes as taken off the queue, to schedule or park unchanged. */
    public static final String QUEUED_BYTES = "mailrouteQueuedBytes";
    /** Exchange property: the {@link Transport} of this attempt (the configured one, or pickup as the relay's fallback). */
    public static final String TRANSPORT = MailEvents.TRANSPORT;
    /** Exchange property: true when the attempt parked recipients in failed/. */
    public static final String PARKS = "mailrouteParks";
    /** Exchange property: the wait (ms) before the deferred recipients are tried again; absent when none are. */
    public static final String RETRY_DELAY = "mailrouteRetryDelay";
    /**
     * Exchange property: the recipients this attempt parked (bounced, failed, expired) with the
     * answer that ended them, as the ledger has them — what a delivery status report tells.
     */
    public static final String PARKED = "mailrouteParked";
    /** Exchange property: the recipients this attempt deferred, with the answer, as the ledger has them. */
    public static final String DEFERRED = "mailrouteDeferred";
    /** Exchange property: when the retries of the deferred recipients end (epoch millis). */
    public static final String RETRY_UNTIL = "mailrouteRetryUntil";
    /** Exchange property: the relay that gave those answers (host:port), absent when none did. */
    public static final String REMOTE_MTA = "mailrouteRemoteMta";
    /**
     * Exchange property: true when what the message was handed to will send no delivery
     * notifications of its own — a relay that does not announce DSN, or the pickup folder — so
     * that a sender who asked to hear of success hears "relayed" from mailroute.
     */
    public static final String NO_DSN_ONWARD = "mailrouteNoDsnOnward";
    /** Exchange property: each recipient's outcome of this attempt, as the ledger has them (for webhooks). */
    public static final String OUTCOMES = "mailrouteOutcomes";
    /**
     * Exchange property: what follows the kind of a bean in the names of this relay's beans ("" for
     * the relay named default, "-bulk" for bulk), for the transport routes: {@code smtpMailSender-bulk}.
     */
    public static final String RELAY_BEANS = "mailrouteRelayBeans";
    /** Exchange property: the relay's host:port, what the SMTP transport route's endpoint names. */
    public static final String RELAY_ADDRESS = "mailrouteRelayAddress";
    private static final String DECISION = "mailrouteDecision";
    /** Exchange property: when the attempt began (System.nanoTime), for its duration in the ledger. */
    private static final String BEGAN = "mailrouteBegan";
    /**
     * Every delivery reads its message whole; from this size on it takes its room in memory first.
     * Below it, the delivery consumers together (mailroute.deliver.consumers, 8) hold a few MiB at most.
     */
    static final long HELD_FROM_BYTES = 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryOutcomes.class);

    private final FailureClassifier classifier = new FailureClassifier();
    private final Transport transport;
    private final RetryPolicy retry;
    private final FailedFolder failedFolder;
    private final RelayCircuit circuit;
    private final Path pickupDir;
    private final InFlightBytes inFlight;
    private final MailEvents events;
    private final Ledger ledger;
    /** The relay's host:port, for the ledger and reports; null for a pickup relay. */
    private final String relay;
    private final String relayBeans;
    /** How the ledger names where an attempt went: " (relay bulk)" after it for a named relay, nothing for default. */
    private final String ledgerSuffix;

    /** The outcomes of the deliveries through this relay, with its transport, pickup folder and circuit. */
    public DeliveryOutcomes(RelaySettings relaySettings, RetryPolicy retry, FailedFolder failedFolder,
                            RelayCircuit circuit, InFlightBytes inFlight, MailEvents events, Ledger ledger) {
        this.transport = relaySettings.transport();
        this.retry = retry;
        this.failedFolder = failedFolder;
        this.circuit = circuit;
        this.pickupDir = relaySettings.pickupDir();
        this.inFlight = inFlight;
        this.events = events;
        this.ledger = ledger;
        this.relay = relaySettings.smtp() == null ? null : relaySettings.smtp().host() + ":" + relaySettings.smtp().port();
        this.relayBeans = relaySettings.beanSuffix();
        this.ledgerSuffix = relaySettings.isDefault() ? "" : " (relay " + relaySettings.name() + ")";
    }

    /**
     * Keeps the queued bytes, chooses the transport, and hands the parsed message to it. A large
     * message first waits for room in memory ({@link InFlightBytes}): reading its body is what
     * brings it in from the broker, and it is held until the outcome is committed.
     */
    public void begin(Exchange exchange) throws MessagingException, InterruptedException {
        Message in = exchange.getMessage();
        exchange.setProperty(BEGAN, System.nanoTime());
        long size = in.getHeader(MessageHeaders.SIZE, 0L, Long.class);
        if (size >= HELD_FROM_BYTES) {
            inFlight.takeUntilDone(exchange, size);
        }
        byte[] queued = in.getBody(byte[].class);
        exchange.setProperty(QUEUED_BYTES, queued);
        exchange.setProperty(TRANSPORT, transport == Transport.SMTP && circuit.pickupInstead() ? Transport.PICKUP
                : transport);
        exchange.setProperty(RELAY_BEANS, relayBeans);
        exchange.setProperty(RELAY_ADDRESS, relay);
        in.setBody(queuedMessage(queued, in));
    }

    public void delivered(Exchange exchange) {
        if (exchange.getProperty(TRANSPORT) == Transport.SMTP) {
            circuit.reachable();
        }
        // the attempt that delivered counts too: its event says which attempt it was, as a deferral's does
        Message in = exchange.getMessage();
        int attempt = in.getHeader(MessageHeaders.ATTEMPTS, 0, Integer.class) + 1;
        in.setHeader(MessageHeaders.ATTEMPTS, attempt);
        events.delivered(exchange);
        if (in.getBody() instanceof QueuedMessage queued) {
            noDsnOnward(exchange, queued);
            if (exchange.getProperty(TRANSPORT) == Transport.SMTP) {
                exchange.setProperty(REMOTE_MTA, relay);
            }
            // the relay's own answer to the end of the data (its queue id): what its admin asks for
            FailureClassifier.Reply reply = FailureClassifier.Reply.parse(-1, queued.deliveryAnswer());
            record(exchange, queued.id(), attempt, queued.envelope().recipients().stream()
                    .map(r -> new LedgerEvent.Outcome(r.getAddress(), "delivered", reply.code(), reply.enhanced(),
                            reply.text())).toList());
        }
    }

    public void failed(Exchange exchange) throws MessagingException, IOException, RelayConfigurationException {
        Message in = exchange.getMessage();
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        byte[] queued = exchange.getProperty(QUEUED_BYTES, byte[].class);
        if (error instanceof ForeignMessageException foreign) {
            parkForeign(exchange, queued, foreign);
            return;
        }
        // parsed again: a transport may have changed the message it was given
        QueuedMessage message = queuedMessage(queued, in);
        Transport used = exchange.getProperty(TRANSPORT, Transport.class);

        DeliveryFailure failure = used == Transport.PICKUP
                ? pickupFailure(error, message)
                : classifier.classify(error, message.envelope().recipients());
        long now = System.currentTimeMillis();
        DeliveryDecision decision = DeliveryDecision.decide(failure, in.getHeader(MessageHeaders.ATTEMPTS, 0, Integer.class),
                in.getHeader(MessageHeaders.FIRST_ATTEMPT, Long.class), now, retry);

        if (decision.hold()) {
            circuit.configurationRefused(failure.reason());
            events.held(exchange, failure.replyCode());
            // still queued: the attempt shows as deferred, with the relay's refusal of mailroute
            record(exchange, message.id(), decision.attempts() + 1, failure.retry().stream()
                    .map(r -> outcome(r, "deferred", failure)).toList());
            throw new RelayConfigurationException(failure.reason());
        }
        if (failure.connectionLevel()) {
            circuit.connectionFailed(failure.reason());
        } else if (used == Transport.SMTP) {
            circuit.reachable();
        }

        // the history travels with a retry as properties of the queue contract
        in.setHeader(MessageHeaders.ATTEMPTS, decision.attempts());
        in.setHeader(MessageHeaders.FIRST_ATTEMPT, decision.firstAttempt());
        in.setHeader(MessageHeaders.LAST_ATTEMPT, now);
        in.setHeader(MessageHeaders.LAST_ERROR, failure.reason());

        if (decision.parks()) {
            Path parked = failedFolder.park(message, new FailedFolder.Record(decision.reason(), decision.kind(), failure,
                    decision.park(), decision.attempts(), decision.firstAttempt(), now,
                    in.getHeader(MessageHeaders.INGRESS, String.class), used.id(),
                    in.getHeader(MessageHeaders.CLIENT_ID, String.class)));
            LOG.warn("failed {} attempt {} via {} for {}: {} (parked as {})", message.id(), decision.attempts(),
                    used, addresses(decision.park()), decision.reason(), parked.getFileName());
            events.failed(exchange, failure.replyCode(), decision.kind());
        }
        if (decision.retries()) {
            LOG.info("deferred {} attempt {} via {} for {}: {}; next attempt in {} ms", message.id(),
                    decision.attempts(), used, addresses(decision.retry()), failure.reason(),
                    decision.retryDelayMillis());
            events.deferred(exchange, failure.replyCode());
        }

        if (in.getBody() instanceof QueuedMessage tried) {
            noDsnOnward(exchange, tried);
        }
        List<LedgerEvent.Outcome> outcomes = outcomes(decision, failure,
                in.getBody() instanceof QueuedMessage tried ? tried.deliveryAnswer() : null);
        record(exchange, message.id(), decision.attempts(), outcomes);
        // for the sender's report (notify): who failed, who waits, and who said so
        exchange.setProperty(PARKED, outcomes.stream()
                .filter(o -> !o.state().equals("delivered") && !o.state().equals("deferred")).toList());
        exchange.setProperty(DEFERRED, outcomes.stream().filter(o -> o.state().equals("deferred")).toList());
        exchange.setProperty(RETRY_UNTIL, decision.firstAttempt() + retry.maxAgeMillis());
        if (used == Transport.SMTP && !failure.connectionLevel()) {
            exchange.setProperty(REMOTE_MTA, relay);
        }

        exchange.setProperty(DECISION, decision);
        exchange.setProperty(PARKS, decision.parks());
        exchange.setProperty(RETRY_DELAY, decision.retries() ? decision.retryDelayMillis() : null);
        in.setBody(queued);
        MessageHeaders.keepOnlyContract(in);
    }

    /**
     * A message mailroute did not make is never delivered: its bytes are parked under an id of
     * mailroute's own, with why, and it leaves the queue.
     */
    private void parkForeign(Exchange exchange, byte[] queued, ForeignMessageException foreign) throws IOException {
        Message in = exchange.getMessage();
        long now = System.currentTimeMillis();
        String reason = "not delivered: " + foreign.getMessage();
        Path parked = failedFolder.parkForeign(queued == null ? new byte[0] : queued, reason, now);
        LOG.error("refused a message on mail.outbound: {} (parked as {})", foreign.getMessage(), parked.getFileName());
        events.failed(exchange, -1, "foreign");
        exchange.setProperty(DECISION, new DeliveryDecision(false, "foreign", reason, List.of(), List.of(), -1, 1, now));
        exchange.setProperty(PARKS, true);
        exchange.setProperty(RETRY_DELAY, null);
        in.setBody(queued);
        MessageHeaders.keepOnlyContract(in);
    }

    /** Each recipient's fate in this attempt, as the ledger names it. */
    private static List<LedgerEvent.Outcome> outcomes(DeliveryDecision decision, DeliveryFailure failure,
                                                      String answer) {
        List<LedgerEvent.Outcome> outcomes = new ArrayList<>();
        // the recipients the relay took got its reply to the end of the data
        FailureClassifier.Reply taken = FailureClassifier.Reply.parse(-1, answer);
        boolean accepted = taken.code() >= 200 && taken.code() < 300;
        for (String address : failure.delivered()) {
            outcomes.add(accepted ? new LedgerEvent.Outcome(address, "delivered", taken.code(), taken.enhanced(),
                    taken.text()) : new LedgerEvent.Outcome(address, "delivered", -1, null, null));
        }
        for (RecipientReply r : decision.retry()) {
            outcomes.add(outcome(r, "deferred", failure));
        }
        for (RecipientReply r : decision.park()) {
            // a 5xx refusal is a bounce, even in the attempt that also ended the retries of the others
            String state = r.replyCode() >= 500 || (r.enhancedCode() != null && r.enhancedCode().startsWith("5"))
                    ? "bounced" : "expired".equals(decision.kind()) ? "expired" : "failed";
            outcomes.add(outcome(r, state, failure));
        }
        return outcomes;
    }

    /** A recipient's own reply when the relay gave one (RCPT), else the reply that decided the attempt. */
    private static LedgerEvent.Outcome outcome(RecipientReply r, String state, DeliveryFailure failure) {
        if (r.replyCode() > 0 || r.text() != null) {
            return new LedgerEvent.Outcome(r.address(), state, r.replyCode(), r.enhancedCode(), r.text());
        }
        return new LedgerEvent.Outcome(r.address(), state, failure.replyCode(), failure.enhancedCode(),
                failure.serverText() != null ? failure.serverText() : failure.reason());
    }

    private void record(Exchange exchange, String id, int attempt, List<LedgerEvent.Outcome> outcomes) {
        exchange.setProperty(OUTCOMES, outcomes);
        if (!ledger.enabled() || outcomes.isEmpty()) {
            return;
        }
        Transport used = exchange.getProperty(TRANSPORT, Transport.class);
        Long began = exchange.getProperty(BEGAN, Long.class);
        long duration = began == null ? 0 : (System.nanoTime() - began) / 1_000_000;
        ledger.attempt(id, attempt, System.currentTimeMillis(), used.id(), (used == Transport.SMTP ? relay
                : pickupDir.toString()) + ledgerSuffix, duration, outcomes);
    }

    private static void noDsnOnward(Exchange exchange, QueuedMessage tried) {
        exchange.setProperty(NO_DSN_ONWARD, exchange.getProperty(TRANSPORT) == Transport.PICKUP || tried.dsnDropped());
    }

    /** The copy of a parked message for {@code mail.failed}: as queued, with why. */
    public void failedCopy(Exchange exchange) {
        exchange.getMessage().setHeader(MessageHeaders.FAILURE_REASON,
                exchange.getProperty(DECISION, DeliveryDecision.class).reason());
    }

    /** The retry: as queued, for the deferred recipients only. */
    public void retryCopy(Exchange exchange) {
        Message in = exchange.getMessage();
        in.removeHeader(MessageHeaders.FAILURE_REASON);
        in.setHeader(MessageHeaders.RECIPIENTS, addresses(exchange.getProperty(DECISION, DeliveryDecision.class).retry()));
    }

    private static QueuedMessage queuedMessage(byte[] queued, Message in) throws MessagingException {
        QueuedMessage message = QueuedMessage.fromQueue(queued, in.getHeader(MessageHeaders.ID, String.class),
                in.getHeader(MessageHeaders.SENDER, String.class), in.getHeader(MessageHeaders.RECIPIENTS, String.class));
        String notify = in.getHeader(MessageHeaders.DSN_NOTIFY, String.class);
        String ret = in.getHeader(MessageHeaders.DSN_RET, String.class);
        String envid = in.getHeader(MessageHeaders.DSN_ENVID, String.class);
        if (notify != null || ret != null || envid != null) {
            try {
                message.ask(Dsn.fromLines(notify, ret, envid, null));
            } catch (IllegalArgumentException e) {
                LOG.warn("{}: ignoring DSN options that are not RFC 3461's: NOTIFY={} RET={}", message.id(),
                        notify, ret);
            }
        }
        return message;
    }

    /** Any pickup failure is transient; the folder check says what is wrong with the folder, if anything. */
    private DeliveryFailure pickupFailure(Throwable error, QueuedMessage message) {
        String reason = FolderCheck.problem("pickup", "mailroute.pickup.dir", pickupDir)
                .orElse("cannot write into the pickup folder " + pickupDir + ": " + error);
        List<RecipientReply> all = message.envelope().recipients().stream()
                .map(r -> new RecipientReply(r.getAddress(), -1, null, null)).toList();
        return new DeliveryFailure(false, false, -1, null, null, reason, List.of(), all, List.of());
    }

    private static String addresses(List<RecipientReply> recipients) {
        return recipients.stream().map(RecipientReply::address).collect(Collectors.joining(", "));
    }
}
