package dev.mailroute.message;

import org.apache.camel.Message;

/**
 * The headers that cross stages: set by an ingress or by accept, carried on {@code mail.outbound}
 * as JMS properties, read by delivery. They are the queue's contract, so they are valid Java
 * identifiers (JMS property names must be). A stage's own working state is not here: it lives in
 * exchange properties of that stage and never reaches the queue.
 */
public final class MessageHeaders {

    /** mailroute's own id (a UUID it made): names the pickup file and the Message-ID. */
    public static final String ID = "mailrouteId";
    /** The caller's optional key (the JSON {@code id}, HTTP {@code Idempotency-Key}). */
    public static final String CLIENT_ID = "mailrouteClientId";
    /** Where the message came in: file, http, jms, smtp. Set by the ingress route. */
    public static final String INGRESS = "mailrouteIngress";
    /** How the ingress body is written: json or rfc822 (eml). Set by the ingress when it knows. */
    public static final String FORMAT = "mailrouteFormat";
    /** The envelope sender (MAIL FROM), a bare address. */
    public static final String SENDER = "mailrouteSender";
    /** The envelope recipients (RCPT TO), bare addresses separated by ", ". */
    public static final String RECIPIENTS = "mailrouteRecipients";
    /** Delivery status notifications asked for (RFC 3461 NOTIFY: NEVER, or SUCCESS,FAILURE,DELAY); absent: the relay's default. */
    public static final String DSN_NOTIFY = "mailrouteDsnNotify";
    /** RFC 3461 RET: FULL or HDRS; absent: the relay's default. */
    public static final String DSN_RET = "mailrouteDsnRet";
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
    /** On the copy of a parked message on {@code mail.failed}: why it was parked. */
    public static final String FAILURE_REASON = "mailrouteFailureReason";

    /**
     * Exchange property, not a header: the envelope an ingress already knows (the SMTP listener's
     * MAIL FROM and RCPT TO), which accept then uses instead of deriving one from the message.
     */
    public static final String GIVEN_ENVELOPE = "mailrouteGivenEnvelope";

    /** Every header of the contract starts with this; nothing else travels with a queued message. */
    private static final String PREFIX = "mailroute";

    private MessageHeaders() {
    }

    /** Drops every header that is not part of this contract (HTTP, file, JMS and Camel headers). */
    public static void keepOnlyContract(Message message) {
        message.getHeaders().keySet().removeIf(name -> !name.startsWith(PREFIX));
    }
}
