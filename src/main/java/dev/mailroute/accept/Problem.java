package dev.mailroute.accept;

/**
 * One thing wrong with a mail request: the field (or header) it is about and what to fix.
 * Field paths follow the JSON contract: {@code to[1]}, {@code attachments[0].content},
 * {@code headers.X-Ticket}; {@code $} is the request as a whole.
 */
public record Problem(String field, String reason) {

    @Override
    public String toString() {
        return field + ": " + reason;
    }
}
