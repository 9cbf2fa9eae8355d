package dev.mailroute.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.mailroute.message.Envelope;
import dev.mailroute.message.MessageHeaders;
import dev.mailroute.observability.MailEvents;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The first step of every relay's deliver route (Postfix's qmgr choosing a next hop): splits a
 * message by the routing table in force. The recipients that table gives this route's relay stay
 * in the exchange; each other relay's recipients become a copy for that relay's queue, sent in the
 * same transaction as the message's removal, so that a crash leaves either the message or every
 * copy. Each copy then has its own retries, circuit and outcome; the message is done when every
 * copy is. Routing happens at every attempt: a retry waiting on a relay's queue follows an edit of
 * the table that sends its recipients elsewhere.
 */
public final class RelayRouter {

    /** Exchange property: this route's relay (set by the route from its template's parameter). */
    public static final String RELAY = MailEvents.RELAY;
    /** Exchange property: the copies for the other relays, each with its queue in {@link #QUEUE}. */
    public static final String ELSEWHERE = "mailrouteRoutedElsewhere";
    /** Exchange property: whether recipients of this message stay with this route's relay. */
    public static final String HERE = "mailrouteRoutedHere";
    /** Header of a copy while it is being sent: its queue; removed before the send. */
    public static final String QUEUE = "mailrouteRoutedQueue";

    private final LiveRoutingTable table;

    public RelayRouter(LiveRoutingTable table) {
        this.table = table;
    }

    /** The queue a relay's deliveries wait on: mail.outbound for the relay named default, else mail.relay.<name>. */
    public static String queueOf(String relay) {
        return RoutingTable.DEFAULT_RELAY.equals(relay) ? "mail.outbound" : "mail.relay." + relay;
    }

    public void route(Exchange exchange) {
        String here = exchange.getProperty(RELAY, String.class);
        Message in = exchange.getMessage();
        exchange.setProperty(HERE, true);
        exchange.setProperty(ELSEWHERE, List.of());
        Envelope envelope;
        try {
            envelope = Envelope.fromLines(in.getHeader(MessageHeaders.SENDER, String.class),
                    in.getHeader(MessageHeaders.RECIPIENTS, String.class));
        } catch (AddressException | RuntimeException unreadable) {
            // not mailroute's: this route's delivery parks it with why
            return;
        }
        if (envelope.recipients().isEmpty()) {
            return; // no recipient to route: this route's delivery deals with it as with any such message
        }
        RoutingTable rules = table.current();
        String sender = envelope.nullSender() ? "" : envelope.senderAddress();
        Map<String, List<InternetAddress>> byRelay = new LinkedHashMap<>();
        for (InternetAddress recipient : envelope.recipients()) {
            byRelay.computeIfAbsent(rules.route(sender, recipient.getAddress()).relay(), r -> new ArrayList<>())
                    .add(recipient);
        }
        if (byRelay.size() == 1 && byRelay.containsKey(here)) {
            return; // the common case: the whole message stays
        }
        List<Message> elsewhere = new ArrayList<>();
        for (Map.Entry<String, List<InternetAddress>> part : byRelay.entrySet()) {
            if (part.getKey().equals(here)) {
                continue;
            }
            Message copy = in.copy();
            // the queue contract only, as any message mailroute queues: nothing of the broker's copy
            MessageHeaders.keepOnlyContract(copy);
            copy.setHeader(MessageHeaders.RECIPIENTS, new Envelope(envelope.sender(), part.getValue()).recipientsLine());
            copy.setHeader(QUEUE, queueOf(part.getKey()));
            elsewhere.add(copy);
        }
        exchange.setProperty(ELSEWHERE, elsewhere);
        List<InternetAddress> mine = byRelay.get(here);
        exchange.setProperty(HERE, mine != null);
        if (mine != null) {
            in.setHeader(MessageHeaders.RECIPIENTS, new Envelope(envelope.sender(), mine).recipientsLine());
        }
    }
}
