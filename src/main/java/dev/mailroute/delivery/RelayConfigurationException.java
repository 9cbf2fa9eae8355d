package dev.mailroute.delivery;

/**
 * The relay refused mailroute itself (credentials, required TLS). Thrown out of the deliver route
 * so that the queue transaction rolls back: the message stays queued, untouched, until the relay
 * accepts mailroute again.
 */
public class RelayConfigurationException extends Exception {

    public RelayConfigurationException(String message) {
        super(message, null, false, false);
    }
}
