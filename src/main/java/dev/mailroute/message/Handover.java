package dev.mailroute.message;

/**
 * What an ingress hands to accept besides the body: exchange properties, never headers. Headers
 * are where a client's own fields arrive (HTTP request headers, JMS properties), so nothing accept
 * decides on may be read from them; exchange properties are set by mailroute's routes and beans
 * alone. Accept reads these, then writes every header of the queue contract ({@link MessageHeaders})
 * from its own state.
 */
public final class Handover {

    /** Where the message came in: file, http, jms, smtp (the ingress's {@code clientInput} step sets it). */
    public static final String INGRESS = "mailroute.ingress";
    /** How the body is written, when the ingress knows: json or rfc822; absent, accept looks at the body. */
    public static final String FORMAT = "mailroute.format";
    /** The client key the ingress was given outside the body (HTTP Idempotency-Key), or absent. */
    public static final String CLIENT_KEY = "mailroute.clientKey";
    /** The envelope the ingress knows already (the SMTP listener's MAIL FROM and RCPT TO), or absent. */
    public static final String ENVELOPE = "mailroute.envelope";

    /**
     * Who submitted the message, for people to read in the ledger: the API key's name and the
     * client's address, the SMTP user and address, the JMS user, the inbox file's name. Never a key
     * or a password.
     */
    public static final String SUBMITTER = "mailroute.submitter";
    /** What the SMTP listener's client asked of delivery status notifications (a {@link Dsn}), or absent. */
    public static final String DSN = "mailroute.dsn";
    /** A delivery status report's property: the id of the message it reports on. */
    public static final String REPORT_OF = "mailroute.reportOf";
    /** The name of the API key an HTTP request came with: that key may read the message back. */
    public static final String API_KEY = "mailroute.apiKey";

    /**
     * Set by an operator's hold, release or delete, for the webhooks: the ids it acted on (a list),
     * the state they are in now (held, released, deleted) and who did it.
     */
    public static final String OPERATED_IDS = "mailroute.operatedIds";
    public static final String OPERATED_STATE = "mailroute.operatedState";
    public static final String OPERATED_NOTE = "mailroute.operatedNote";
    /** Set by accept itself, for the ledger: the message was made from a merge request. */
    public static final String MERGED = "mailroute.merged";

    private Handover() {
    }
}
