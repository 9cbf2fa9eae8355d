package dev.mailroute.ingress;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.mailroute.message.Handover;
import dev.mailroute.message.MessageHeaders;
import dev.mailroute.observability.MailEvents;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The first step of every ingress route: what a client sent besides the body is reduced to the
 * fields that ingress documents — an allow-list per ingress, not a rule about names — and the
 * ingress is recorded for accept ({@link Handover#INGRESS}). Everything else a client sent (an
 * HTTP request header, a JMS property) is dropped before anything reads it; a dropped name of
 * mailroute's own ({@link MessageHeaders#looksInternal}) is counted and logged, because it is an
 * attempt to steer the queue.
 *
 * <p>This is the first of two walls: accept, in turn, writes every header of the queue contract
 * from its own state and nothing else, so that an ingress an operator adds without this step still
 * cannot let a client's field through.
 */
public final class ClientInput {

    /** Exchange property: the JMS properties a client sent (its own, none of mailroute's), for the copy on mail.rejected. */
    public static final String JMS_PROPERTIES = "mailroute.clientJmsProperties";

    /** HTTP: what the API documents (docs/http-api.md), and what Camel's HTTP consumer itself sets. */
    private static final Set<String> HTTP = anyCase(Exchange.CONTENT_TYPE, Exchange.CONTENT_LENGTH, "Authorization",
            "Idempotency-Key", Exchange.HTTP_METHOD, Exchange.HTTP_PATH, Exchange.HTTP_URI, Exchange.HTTP_QUERY,
            Exchange.HTTP_RAW_QUERY,
            // the client's address, for the ledger's "who submitted" (Camel's own: no request header is named Camel*)
            "CamelVertxPlatformHttpRemoteAddress");
    /** JMS: the fields the broker sets (who sent it, whether it is redelivered); a client's properties are not read. */
    private static final Set<String> JMS = anyCase("JMSMessageID", "JMSTimestamp", "JMSRedelivered", "JMSXDeliveryCount",
            "JMSXUserID", "JMSDestination");
    /** The inbox: what camel-file says about the file it took. */
    private static final Set<String> FILE = anyCase(Exchange.FILE_NAME, Exchange.FILE_NAME_ONLY,
            Exchange.FILE_NAME_CONSUMED, Exchange.FILE_PATH, Exchange.FILE_PARENT, Exchange.FILE_LENGTH,
            Exchange.FILE_LAST_MODIFIED, "CamelFileAbsolute", "CamelFileAbsolutePath", "CamelFileRelativePath");
    /** SMTP: the listener hands over the message and its envelope, nothing from headers. */
    private static final Set<String> SMTP = Set.of();

    private static final int LOGGED_NAMES = 8;

    private final MailEvents events;

    public ClientInput(MailEvents events) {
        this.events = events;
    }

    public void http(Exchange exchange) {
        admit(exchange, "http", HTTP);
    }

    /** JMS: the client's own properties are kept aside, unread, for the copy of a refused request on mail.rejected. */
    public void jms(Exchange exchange) {
        Map<String, Object> own = new LinkedHashMap<>();
        exchange.getMessage().getHeaders().forEach((name, value) -> {
            if (!JMS.contains(name) && !MessageHeaders.looksInternal(name) && !name.startsWith("Camel")) {
                own.put(name, value);
            }
        });
        exchange.setProperty(JMS_PROPERTIES, own);
        // the broker's word for who sent it (Artemis sets JMSXUserID: populate-validated-user)
        String user = exchange.getMessage().getHeader("JMSXUserID", String.class);
        exchange.setProperty(Handover.SUBMITTER, user == null ? "jms" : "jms user " + user);
        admit(exchange, "jms", JMS);
    }

    /** The inbox: the format is the file's: {@code *.json} is JSON, anything else a raw message. */
    public void file(Exchange exchange) {
        String name = exchange.getMessage().getHeader(Exchange.FILE_NAME_ONLY, "", String.class);
        exchange.setProperty(Handover.FORMAT, name.toLowerCase(Locale.ROOT).endsWith(".json") ? "json" : "rfc822");
        exchange.setProperty(Handover.SUBMITTER, "file " + name);
        admit(exchange, "file", FILE);
    }

    public void smtp(Exchange exchange) {
        admit(exchange, "smtp", SMTP);
    }

    private void admit(Exchange exchange, String ingress, Set<String> allowed) {
        exchange.setProperty(Handover.INGRESS, ingress);
        Message in = exchange.getMessage();
        List<String> internal = new ArrayList<>();
        in.getHeaders().keySet().removeIf(name -> {
            if (allowed.contains(name)) {
                return false;
            }
            if (MessageHeaders.looksInternal(name)) {
                internal.add(name);
            }
            return true;
        });
        if (!internal.isEmpty()) {
            events.internalHeadersDropped(ingress, internal.size(),
                    internal.subList(0, Math.min(LOGGED_NAMES, internal.size())));
        }
    }

    private static Set<String> anyCase(String... names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        set.addAll(List.of(names));
        return set;
    }
}
