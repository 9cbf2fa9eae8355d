package dev.mailroute.message;

/**
 * A request that passed validation, as it goes on the queue: the canonical MIME bytes (Message-ID
 * and Date fixed, Bcc header still present so each transport can decide), its envelope, and what
 * it asks of delivery status notifications. {@code clientId} is the caller's idempotency key, if
 * it gave one.
 */
public record AcceptedMessage(String id, String clientId, Envelope envelope, byte[] mime, Dsn dsn) {

    public AcceptedMessage(String id, String clientId, Envelope envelope, byte[] mime) {
        this(id, clientId, envelope, mime, Dsn.NONE);
    }
}
