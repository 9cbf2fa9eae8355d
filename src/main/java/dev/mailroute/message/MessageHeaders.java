package dev.mailroute.message;

import java.util.Set;
import java.util.TreeSet;

import org.apache.camel.Message;

/**
 * The headers that cross stages: set by an ingress or by accept, carried on {@code mail.outbound}
 * as JMS properties, read by delivery. They are the queue's contract, so they are valid Java
 * identifiers (JMS property names must be). A stage's own working state is not here: it lives in
 * exchange properties of that stage and never reaches the queue.
 *
 * <p>Only mailroute writes them: accept builds each from its own state ({@code MailAcceptor}),
 * delivery adds the attempt history. A client's own fields never become one of them — every
 * ingress reduces what a client sent to its documented fields first ({@code ClientInput}), and what
 * an ingress hands to accept travels as exchange properties ({@link Handover}).
 */
public final class MessageHeaders {

    /** mailroute's own id (a UUID it made): names the pickup file and the Message-ID. */
    public static final String ID = "mailrouteId";
    /** The caller's optional key (the JSON {@code id}, HTTP {@code Idempotency-Key}). */
    public static final String CLIENT_ID = "mailrouteClientId";
    /** Where the message came in: file, http, jms, smtp. Set by the ingress route. */
    public static final String INGRESS = "mailrouteIngress";
    /** The envelope sender (MAIL FROM), a bare address. */
    public static final String SENDER = "mailrouteSender";
    /** The envelope recipients (RCPT TO), bare addresses separated by ", ". */
    public static final String RECIPIENTS = "mailrouteRecipients";
    /** Delivery status notifications asked for (RFC 3461 NOTIFY: NEVER, or SUCCESS,FAILURE,DELAY); absent: the relay's default. */
    public static final String DSN_NOTIFY = "mailrouteDsnNotify";
    /** RFC 3461 RET: FULL or HDRS; absent: the relay's default. */
    public static final String DSN_RET = "mailrouteDsnRet";
    /** RFC 3461 ENVID (xtext), for the sender's report and a relay that announces DSN. */
    public static final String DSN_ENVID = "mailrouteDsnEnvid";
    /** RFC 3461 ORCPT per recipient ({@link Dsn#orcptLine}), for the sender's report. */
    public static final String DSN_ORCPT = "mailrouteDsnOrcpt";
    /** The size of the MIME message in bytes: a large one waits for room in memory before it is read for delivery. */
    public static final String SIZE = "mailrouteSize";
    /** When mailroute accepted the message (epoch millis): delivery latency counts from here. */
    public static final String ACCEPTED_AT = "mailrouteAcceptedAt";

    /** Delivery attempts made so far. */
    public static final String ATTEMPTS = "mailrouteAttempts";
    /** When the first delivery attempt was made (epoch millis): the retry age counts from here. */
    public static final String FIRST_ATTEMPT = "mailrouteFirstAttempt";
    public static final String LAST_ATTEMPT = "mailrouteLastAttempt";
    public static final String LAST_ERROR = "mailrouteLastError";
    /** True once the sender was sent a delay notice (or one was due and not sent): never twice per message. */
    public static final String DELAY_NOTIFIED = "mailrouteDelayNotified";
    /** On the copy of a parked message on {@code mail.failed}: why it was parked. */
    public static final String FAILURE_REASON = "mailrouteFailureReason";

    /** Every header of the contract; nothing else travels with a queued message. */
    public static final Set<String> CONTRACT = Set.of(ID, CLIENT_ID, INGRESS, SENDER, RECIPIENTS, DSN_NOTIFY, DSN_RET,
            DSN_ENVID, DSN_ORCPT, SIZE, ACCEPTED_AT, ATTEMPTS, FIRST_ATTEMPT, LAST_ATTEMPT, LAST_ERROR, DELAY_NOTIFIED, FAILURE_REASON);

    /** The contract's names in any case (HTTP header names, and Camel's header map, ignore case). */
    private static final Set<String> CONTRACT_ANY_CASE = anyCase(CONTRACT);

    private MessageHeaders() {
    }

    /** Drops every header that is not one of the contract's (HTTP, file, JMS and Camel headers). */
    public static void keepOnlyContract(Message message) {
        message.getHeaders().keySet().removeIf(name -> !CONTRACT.contains(name));
    }

    /**
     * A name a client has no business sending: one of the contract's, in any case, or anything else
     * in mailroute's own name space ({@code mailroute...}, {@code MAILROUTE_...}) — counted when an
     * ingress drops it, so that an attempt to steer the queue shows.
     */
    public static boolean looksInternal(String name) {
        return CONTRACT_ANY_CASE.contains(name) || name.regionMatches(true, 0, "mailroute", 0, 9);
    }

    private static Set<String> anyCase(Set<String> names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        set.addAll(names);
        return set;
    }
}
