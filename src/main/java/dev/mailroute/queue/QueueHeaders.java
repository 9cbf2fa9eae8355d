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

    private QueueHeaders() {
    }
}
