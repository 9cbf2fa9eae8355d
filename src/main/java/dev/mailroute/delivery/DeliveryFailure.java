package dev.mailroute.delivery;

import java.util.List;

/**
 * What a failed delivery attempt means, from {@link FailureClassifier}: for each recipient, done,
 * to retry, or failed for good — plus the relay's reply that decided it.
 *
 * @param configuration the relay refused mailroute itself (authentication, required TLS): hold everything
 * @param connectionLevel the relay could not be reached or talked to: counts towards the circuit breaker
 * @param replyCode the SMTP reply code that decided it, -1 when there was none
 * @param enhancedCode the RFC 3463 enhanced status code (e.g. 5.1.1), or null
 * @param serverText the relay's reply text, or null
 * @param reason one line for logs and the failed/ record
 */
public record DeliveryFailure(
        boolean configuration,
        boolean connectionLevel,
        int replyCode,
        String enhancedCode,
        String serverText,
        String reason,
        List<String> delivered,
        List<RecipientReply> retry,
        List<RecipientReply> failed) {

    /** One recipient's fate with the reply that decided it (code -1 when the whole message failed). */
    public record RecipientReply(String address, int replyCode, String enhancedCode, String text) {
    }

    public enum Kind {
        TRANSIENT, PERMANENT, PARTIAL, CONFIGURATION
    }

    public Kind kind() {
        if (configuration) {
            return Kind.CONFIGURATION;
        }
        if (!delivered.isEmpty() || (!retry.isEmpty() && !failed.isEmpty())) {
            return Kind.PARTIAL;
        }
        return failed.isEmpty() ? Kind.TRANSIENT : Kind.PERMANENT;
    }
}
