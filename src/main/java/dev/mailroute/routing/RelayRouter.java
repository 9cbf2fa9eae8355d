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
 * Postfix's qmgr choosing a next hop: the first step of every deliver route (routes/deliver-split.yaml)
 * splits a message by the routing table in force. Without a routing file it does nothing: the
 * relay named default's route delivers from mail.outbound as it always did. With one, that route
 * (on mail.outbound, the queue every message is first put on) only routes: each relay's recipients,
 * the default's too, become a copy for that relay's queue, mail.relay.&lt;name&gt; — so that no
 * relay, down, suspended or throttled, holds up the mail of another. On a relay's own queue, the
 * recipients the table still gives that relay stay with it and the others leave as copies: a retry
 * follows an edit of the table. The copies are sent in the transaction of the message's removal,
 * so that a crash leaves either the message or every copy; each then has its own retries, circuit
 * and outcome, and the message is done when every copy is.
 */
public final class RelayRouter {

    /** Exchange property: this route's relay (set by the route first). */
    public static final String RELAY = MailEvents.RELAY;
    /** Exchange property: this route's queue (set by the route first). */
    public static final String ROUTE_QUEUE = "mailrouteRelayQueue";
    /** Exchange property: the copies for the other relays, each with its queue in {@link #QUEUE}. */
    public static final String ELSEWHERE = "mailrouteRoutedElsewhere";
    /** Exchange property: whether recipients of this message stay with this route's relay. */
    public static final String HERE = "mailrouteRoutedHere";
    /** Header of a copy while it is being sent: its queue; removed before the send. */
    public static final String QUEUE = "mailrouteRoutedQueue";
    /** The queue every message is first put on. */
    public static final String OUTBOUND = "mail.outbound";

    private final LiveRoutingTable table;
    private final boolean routing;

    /** @param routing whether a routing file is configured: without one every message stays where it is */
    public RelayRouter(LiveRoutingTable table, boolean routing) {
        this.table = table;
        this.routing = routing;
    }

    /**
     * The queue a relay's deliveries wait on: mail.relay.&lt;name&gt;, and for the relay named default
     * mail.outbound as long as no routing file routes (then mail.relay.default).
     */
    public static String queueOf(String relay, boolean routing) {
        return RoutingTable.DEFAULT_RELAY.equals(relay) && !routing ? OUTBOUND : "mail.relay." + relay;
    }

    public void route(Exchange exchange) {
        exchange.setProperty(HERE, true);
        exchange.setProperty(ELSEWHERE, List.of());
        if (!routing) {
            return;
        }
        String here = exchange.getProperty(RELAY, String.class);
        // on mail.outbound this route only routes: every part, the own relay's too, goes to a relay's queue
        boolean routerOnly = OUTBOUND.equals(exchange.getProperty(ROUTE_QUEUE, String.class));
        Message in = exchange.getMessage();
        Envelope envelope;
        try {
            envelope = Envelope.fromLines(in.getHeader(MessageHeaders.SENDER, String.class),
                    in.getHeader(MessageHeaders.RECIPIENTS, String.class));
        } catch (AddressException | RuntimeException unreadable) {
            envelope = null;
        }
        if (envelope == null || envelope.recipients().isEmpty()) {
            // not mailroute's, or nothing to route: the delivery of the relay named default parks it with why
            if (routerOnly) {
                exchange.setProperty(ELSEWHERE, List.of(copy(in, null, RoutingTable.DEFAULT_RELAY)));
                exchange.setProperty(HERE, false);
            }
            return;
        }
        RoutingTable rules = table.current();
        String sender = envelope.nullSender() ? "" : envelope.senderAddress();
        Map<String, List<InternetAddress>> byRelay = new LinkedHashMap<>();
        for (InternetAddress recipient : envelope.recipients()) {
            byRelay.computeIfAbsent(rules.route(sender, recipient.getAddress()).relay(), r -> new ArrayList<>())
                    .add(recipient);
        }
        if (!routerOnly && byRelay.size() == 1 && byRelay.containsKey(here)) {
            return; // the common case on a relay's queue: the whole message stays
        }
        List<Message> elsewhere = new ArrayList<>();
        for (Map.Entry<String, List<InternetAddress>> part : byRelay.entrySet()) {
            if (!routerOnly && part.getKey().equals(here)) {
                continue;
            }
            elsewhere.add(copy(in, new Envelope(envelope.sender(), part.getValue()).recipientsLine(), part.getKey()));
        }
        exchange.setProperty(ELSEWHERE, elsewhere);
        List<InternetAddress> mine = routerOnly ? null : byRelay.get(here);
        exchange.setProperty(HERE, mine != null);
        if (mine != null) {
            in.setHeader(MessageHeaders.RECIPIENTS, new Envelope(envelope.sender(), mine).recipientsLine());
        }
    }

    /** A copy for a relay's queue, for these recipients (null: as they are). */
    private Message copy(Message in, String recipients, String relay) {
        Message copy = in.copy();
        // the queue contract only, as any message mailroute queues: nothing of the broker's copy
        MessageHeaders.keepOnlyContract(copy);
        if (recipients != null) {
            copy.setHeader(MessageHeaders.RECIPIENTS, recipients);
        }
        copy.setHeader(QUEUE, queueOf(relay, routing));
        return copy;
    }
}
