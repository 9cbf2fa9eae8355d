package dev.mailroute.notify.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroute.delivery.DeliveryOutcomes;
import dev.mailroute.ledger.Ledger;
import dev.mailroute.ledger.LedgerEvent;
import dev.mailroute.message.Handover;
import dev.mailroute.message.MessageHeaders;
import dev.mailroute.message.QueuedMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.mail.MessagingException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a state change into the events of the endpoints that want it: one JMS message per endpoint
 * and event, for the queue {@code mail.webhook.<endpoint>} (routes/notify-webhooks.yaml sends them).
 * The route that changed the state sends them in its own transaction — the delivery's outcome and
 * its events commit together, an accepted message and its event too — so an event is never lost
 * between the change and the outbox, and never sent for a change that rolled back.
 *
 * <p>Each event's id, the {@code webhook-id} of every try, is made from what it is about (see
 * {@link #messages}), so a receiver can drop a repeat. Texts from outside (addresses, a relay's
 * answer) are one line and bounded.
 */
public final class WebhookOutbox {

    /**
     * Exchange property the calling route sets before {@code direct:webhook-outbox}: which change it
     * made — {@value #ACCEPTED}, {@value #ATTEMPT} or {@value #OPERATION}. Without one, no events.
     */
    public static final String KIND = "mailrouteWebhookEvents";
    public static final String ACCEPTED = "accepted";
    public static final String ATTEMPT = "attempt";
    public static final String OPERATION = "operation";

    /** JMS properties of an outbox message. */
    public static final String ENDPOINT = "mailrouteWebhookEndpoint";
    public static final String EVENT_ID = "mailrouteWebhookId";
    public static final String EVENT_AT = "mailrouteWebhookAt";

    /** An event as its receiver reads it (the Standard Webhooks payload shape: type, timestamp, data). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Event(String type, String timestamp, Data data) {
    }

    /**
     * @param id mailroute's id of the message
     * @param recipient the recipient whose state changed; null for an event of the whole message
     * @param recipients accepted: every recipient
     * @param reply the relay's answer that decided the state, when one did
     * @param note held, released, deleted: who did it
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Data(String id, String messageId, String sender, String recipient, List<String> recipients, String state,
                Integer attempt, String relay, Reply reply, String note) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Reply(Integer code, String enhancedStatus, String text) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(WebhookOutbox.class);

    private final WebhookSettings settings;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Counter unwritten;

    public WebhookOutbox(WebhookSettings settings, MeterRegistry registry) {
        this.settings = settings;
        this.unwritten = Counter.builder("mailroute.webhook.unwritten")
                .description("state changes whose webhook events could not be made (the log says why)")
                .register(registry);
    }

    /**
     * The events of the change the calling route just made and named in {@link #KIND}
     * (routes/notify-webhooks.yaml): a message's acceptance, a delivery attempt's outcomes, or an
     * operator's operation. No kind, no events.
     */
    public List<Message> events(Exchange exchange) {
        String kind = exchange.getProperty(KIND, String.class);
        exchange.removeProperty(KIND);
        if (settings.endpoints().isEmpty() || kind == null) {
            return List.of();
        }
        try {
            return switch (kind) {
                case ACCEPTED -> accepted(exchange);
                case ATTEMPT -> attempt(exchange);
                case OPERATION -> operated(exchange);
                default -> List.of();
            };
        } catch (RuntimeException e) {
            // a mistake in making the events must not undo the change itself (a delivery rolled
            // back would be delivered again): the events are lost, said and counted
            unwritten.increment();
            LOG.error("webhooks: the events of a change ({}) of {} could not be made; they are not sent", kind,
                    exchange.getMessage().getHeader(MessageHeaders.ID, String.class), e);
            return List.of();
        }
    }

    /** Whether any endpoint wants to hear of accepted messages: then enqueueing is transacted. */
    public boolean wantsAccepted() {
        return !settings.subscribed(WebhookEventType.ACCEPTED).isEmpty();
    }

    /** The enqueue route's: the message is on the queue (or will be, with the transaction this joins). */
    List<Message> accepted(Exchange exchange) {
        List<WebhookEndpoint> endpoints = settings.subscribed(WebhookEventType.ACCEPTED);
        if (endpoints.isEmpty()) {
            return List.of();
        }
        Message in = exchange.getMessage();
        List<String> recipients = Arrays.stream(in.getHeader(MessageHeaders.RECIPIENTS, "", String.class).split(","))
                .map(String::trim).filter(a -> !a.isEmpty()).map(a -> Ledger.bounded(a, 320)).toList();
        long at = in.getHeader(MessageHeaders.ACCEPTED_AT, System.currentTimeMillis(), Long.class);
        Data data = new Data(in.getHeader(MessageHeaders.ID, String.class), Ledger.messageId(in.getBody(byte[].class)),
                sender(in.getHeader(MessageHeaders.SENDER, String.class)), null, recipients, "accepted", null, null,
                null, null);
        return messages(exchange, endpoints, WebhookEventType.ACCEPTED, at, data, data.id());
    }

    /** The deliver route's, after an attempt: one event per recipient, of its new state. */
    @SuppressWarnings("unchecked")
    List<Message> attempt(Exchange exchange) {
        List<LedgerEvent.Outcome> outcomes = exchange.getProperty(DeliveryOutcomes.OUTCOMES, List.class);
        if (outcomes == null || settings.endpoints().isEmpty()) {
            return List.of();
        }
        Message in = exchange.getMessage();
        // delivered: the parsed message; failed: the bytes as queued again, for the retry or failed copy
        QueuedMessage queued = in.getBody() instanceof QueuedMessage q ? q : null;
        String messageId = queued != null ? header(queued) : Ledger.messageId(in.getBody(byte[].class));
        String id = queued != null ? queued.id() : in.getHeader(MessageHeaders.ID, String.class);
        Integer attempt = in.getHeader(MessageHeaders.ATTEMPTS, Integer.class);
        String relay = exchange.getProperty(DeliveryOutcomes.REMOTE_MTA, String.class);
        long at = System.currentTimeMillis();
        List<Message> messages = new ArrayList<>();
        for (LedgerEvent.Outcome outcome : outcomes) {
            WebhookEventType type = WebhookEventType.ofState(outcome.state());
            List<WebhookEndpoint> endpoints = type == null ? List.of() : settings.subscribed(type);
            if (!endpoints.isEmpty()) {
                Reply reply = new Reply(outcome.replyCode() > 0 ? outcome.replyCode() : null,
                        Ledger.bounded(outcome.enhancedStatus(), 16), Ledger.bounded(outcome.text(), 500));
                String recipient = Ledger.bounded(outcome.address(), 320);
                messages.addAll(messages(exchange, endpoints, type, at, new Data(id, messageId,
                        sender(in.getHeader(MessageHeaders.SENDER, String.class)), recipient, null, type.id(), attempt,
                        relay, reply, null), id + " " + attempt + " " + recipient));
            }
        }
        return messages;
    }

    /** The admin API's, after a hold, release or delete: one event per message. */
    @SuppressWarnings("unchecked")
    List<Message> operated(Exchange exchange) {
        List<String> ids = exchange.getProperty(Handover.OPERATED_IDS, List.class);
        WebhookEventType type = WebhookEventType.ofState(exchange.getProperty(Handover.OPERATED_STATE, String.class));
        List<WebhookEndpoint> endpoints = type == null ? List.of() : settings.subscribed(type);
        if (ids == null || endpoints.isEmpty()) {
            return List.of();
        }
        String note = exchange.getProperty(Handover.OPERATED_NOTE, String.class);
        long at = System.currentTimeMillis();
        List<Message> messages = new ArrayList<>();
        for (String id : ids) {
            messages.addAll(messages(exchange, endpoints, type, at,
                    new Data(id, null, null, null, null, type.id(), null, null, null, note), id + " " + at));
        }
        return messages;
    }

    /**
     * One message per endpoint. The event's id is made from what the event is about ({@code key}: the
     * message, its attempt and recipient; an operation's time): a delivery tried again after a crash
     * before its commit makes the same events with the same ids, which a receiver drops as repeats.
     */
    private List<Message> messages(Exchange exchange, List<WebhookEndpoint> endpoints, WebhookEventType type, long at,
                                   Data data, String key) {
        String body;
        try {
            body = mapper.writeValueAsString(new Event(type.id(), Instant.ofEpochMilli(at).toString(), data));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a webhook event", e);
        }
        List<Message> messages = new ArrayList<>(endpoints.size());
        for (WebhookEndpoint endpoint : endpoints) {
            Message message = new DefaultMessage(exchange.getContext());
            message.setBody(body);
            message.setHeader(ENDPOINT, endpoint.name());
            message.setHeader(EVENT_ID, "evt_" + UUID.nameUUIDFromBytes((type.id() + " " + key)
                    .getBytes(StandardCharsets.UTF_8)));
            message.setHeader(EVENT_AT, at);
            messages.add(message);
        }
        return messages;
    }

    private static String sender(String sender) {
        return sender == null || sender.isEmpty() ? "<>" : Ledger.bounded(sender, 320);
    }

    private static String header(QueuedMessage queued) {
        try {
            return Ledger.bounded(queued.getMessageID(), 998);
        } catch (MessagingException e) {
            return null;
        }
    }
}
