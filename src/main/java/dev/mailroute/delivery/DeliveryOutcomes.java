package dev.mailroute.delivery;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import dev.mailroute.delivery.DeliveryFailure.RecipientReply;
import dev.mailroute.delivery.smtp.RelayCircuit;
import dev.mailroute.diagnostics.FolderCheck;
import dev.mailroute.diagnostics.MailEvents;
import dev.mailroute.queue.QueueHeaders;
import dev.mailroute.queue.QueuedMessage;
import jakarta.mail.MessagingException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what becomes of a delivery attempt, for the deliver route. A success tells the circuit
 * breaker the relay is reachable. A failure is classified once ({@link FailureClassifier}); then
 * refused-for-good and expired recipients are parked in failed/ (header {@code mailrouteParked}),
 * deferred ones get a retry delay and their list (headers {@code mailrouteRetryDelay},
 * {@code mailrouteRetryRecipients}) for the route to schedule, and a relay that refuses mailroute
 * itself stops delivery and rolls the message back onto the queue.
 */
public final class DeliveryOutcomes {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryOutcomes.class);

    private final FailureClassifier classifier = new FailureClassifier();
    private final RetryPolicy retry;
    private final FailedFolder failedFolder;
    private final RelayCircuit circuit;
    private final Path pickupDir;
    private final MailEvents events;

    public DeliveryOutcomes(RetryPolicy retry, FailedFolder failedFolder, RelayCircuit circuit, Path pickupDir,
                            MailEvents events) {
        this.retry = retry;
        this.failedFolder = failedFolder;
        this.circuit = circuit;
        this.pickupDir = pickupDir;
        this.events = events;
    }

    public void delivered(Exchange exchange) {
        if ("smtp".equals(exchange.getMessage().getHeader(QueueHeaders.TRANSPORT, String.class))) {
            circuit.reachable();
        }
        events.delivered(exchange);
    }

    public void failed(Exchange exchange) throws MessagingException, IOException, RelayConfigurationException {
        Message in = exchange.getMessage();
        // what an earlier attempt decided travelled with the message; this attempt decides anew
        in.removeHeaders("mailroute(RetryDelay|RetryRecipients|Parked|FailureReason)");
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        byte[] queued = exchange.getProperty(QueueHeaders.QUEUED_BYTES, byte[].class);
        QueuedMessage message = QueuedMessage.fromQueue(queued, in.getHeader(QueueHeaders.ID, String.class),
                in.getHeader(QueueHeaders.SENDER, String.class), in.getHeader(QueueHeaders.RECIPIENTS, String.class));
        String transport = in.getHeader(QueueHeaders.TRANSPORT, String.class);

        DeliveryFailure failure = "pickup".equals(transport)
                ? pickupFailure(error, message)
                : classifier.classify(error, message.envelope().recipients());

        if (failure.configuration()) {
            circuit.configurationRefused(failure.reason());
            events.held(exchange, failure.replyCode());
            throw new RelayConfigurationException(failure.reason());
        }
        if (failure.connectionLevel()) {
            circuit.connectionFailed(failure.reason());
        } else if ("smtp".equals(transport)) {
            circuit.reachable();
        }

        long now = System.currentTimeMillis();
        int attempts = in.getHeader(QueueHeaders.ATTEMPTS, 0, Integer.class) + 1;
        long firstAttempt = in.getHeader(QueueHeaders.FIRST_ATTEMPT, now, Long.class);
        in.setHeader(QueueHeaders.ATTEMPTS, attempts);
        in.setHeader(QueueHeaders.FIRST_ATTEMPT, firstAttempt);
        in.setHeader(QueueHeaders.LAST_ATTEMPT, now);
        in.setHeader(QueueHeaders.LAST_ERROR, failure.reason());

        List<RecipientReply> deferred = failure.retry();
        List<RecipientReply> failed = failure.failed();
        String kind = failure.kind().name().toLowerCase(Locale.ROOT);
        String reason = failure.reason();
        if (!deferred.isEmpty() && retry.expired(firstAttempt, now)) {
            reason = "expired: still not delivered " + Duration.ofMillis(now - firstAttempt).toSeconds()
                     + " s after the first of " + attempts + " attempts (mailroute.retry.maxAge); last error: "
                     + failure.reason();
            kind = "expired";
            failed = new ArrayList<>(failed);
            failed.addAll(deferred);
            deferred = List.of();
        }

        if (!failed.isEmpty()) {
            Path parked = failedFolder.park(message, new FailedFolder.Record(reason, kind, failure, failed, attempts,
                    firstAttempt, now, in.getHeader(QueueHeaders.INGRESS, String.class), transport,
                    in.getHeader(QueueHeaders.CLIENT_ID, String.class)));
            in.setHeader(QueueHeaders.PARKED, true);
            in.setHeader(QueueHeaders.FAILURE_REASON, reason);
            LOG.warn("failed {} attempt {} via {} for {}: {} (parked as {})", message.id(), attempts, transport,
                    addresses(failed), reason, parked.getFileName());
            events.failed(exchange, failure.replyCode(), kind);
        }
        if (!deferred.isEmpty()) {
            long delay = retry.delayAfter(attempts);
            in.setHeader(QueueHeaders.RETRY_DELAY, delay);
            in.setHeader(QueueHeaders.RETRY_RECIPIENTS, addresses(deferred));
            LOG.info("deferred {} attempt {} via {} for {}: {}; next attempt in {} ms", message.id(), attempts,
                    transport, addresses(deferred), failure.reason(), delay);
            events.deferred(exchange, failure.replyCode());
        }
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
