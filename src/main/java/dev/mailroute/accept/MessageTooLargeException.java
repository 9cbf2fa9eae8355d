package dev.mailroute.accept;

/** A request or built message over {@code mailroute.message.maxBytes} (HTTP 413 rather than 400). */
public class MessageTooLargeException extends RejectedMessageException {

    public MessageTooLargeException(String reason) {
        super("$", reason);
    }
}
