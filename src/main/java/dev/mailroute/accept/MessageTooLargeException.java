package dev.mailroute.accept;

/** A request or built message over {@code mailroute.message.maxBytes} (HTTP 413 rather than 400). */
public class MessageTooLargeException extends RejectedMessageException {

    public MessageTooLargeException(String reason) {
        super("$", reason);
    }

    /** Too large because of one field of the request, named. */
    public MessageTooLargeException(String field, String reason) {
        super(field, reason);
    }
}
