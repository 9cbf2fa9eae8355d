package dev.mailroute.queue;

/**
 * Names of the headers that travel with a message on {@code mail.outbound} (as JMS properties).
 * They are valid Java identifiers because JMS property names must be.
 */
public final class QueueHeaders {

    /** mailroute's own id: names the pickup file and the Message-ID. */
    public static final String ID = "mailrouteId";
    /** The caller's optional key (the JSON {@code id}). */
    public static final String CLIENT_ID = "mailrouteClientId";
    /** Where the message came in: file, http, jms. Set by the ingress route. */
    public static final String INGRESS = "mailrouteIngress";
    /** How the ingress body is written: json or rfc822 (eml). Set by the ingress route when it knows. */
    public static final String FORMAT = "mailrouteFormat";
    public static final String SENDER = "mailrouteSender";
    public static final String RECIPIENTS = "mailrouteRecipients";

    /** When mailroute accepted the message (epoch millis): delivery latency counts from here. */
    public static final String ACCEPTED_AT = "mailrouteAcceptedAt";
    /** Delivery attempts made so far. */
    public static final String ATTEMPTS = "mailrouteAttempts";
    /** When the first delivery attempt was made (epoch millis): the retry age counts from here. */
    public static final String FIRST_ATTEMPT = "mailrouteFirstAttempt";
    public static final String LAST_ATTEMPT = "mailrouteLastAttempt";
    public static final String LAST_ERROR = "mailrouteLastError";
    /** Set by a failed attempt: wait this long (ms) before the next one, for these recipients only. */
    public static final String RETRY_DELAY = "mailrouteRetryDelay";
    public static final String RETRY_RECIPIENTS = "mailrouteRetryRecipients";
    /** Set by a failed attempt that parked recipients in failed/. */
    public static final String PARKED = "mailrouteParked";
    public static final String FAILURE_REASON = "mailrouteFailureReason";

    /** The transport an attempt used (the configured one, or pickup as the relay's fallback). */
    public static final String TRANSPORT = "mailrouteTransport";
    /** Exchange property: the message bytes as taken off the queue, to schedule or park unchanged. */
    public static final String QUEUED_BYTES = "mailrouteQueuedBytes";

    private QueueHeaders() {
    }
}
