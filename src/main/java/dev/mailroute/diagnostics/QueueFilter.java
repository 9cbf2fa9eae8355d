package dev.mailroute.diagnostics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import picocli.CommandLine.Option;

/** The filter options {@code queue ls} and the operations share, and the ledger's search fields they become. */
final class QueueFilter {

    @Option(names = "--from", paramLabel = "ADDRESS", description = "messages from this sender")
    String from;

    @Option(names = "--to", paramLabel = "ADDRESS", description = "messages to this recipient")
    String to;

    @Option(names = "--message-id", paramLabel = "MESSAGE-ID", description = "messages with this Message-ID header")
    String messageId;

    @Option(names = "--since", paramLabel = "TIME", description = "messages accepted since TIME: 2h, 30m, 7d or"
            + " 2026-12-05T10:00:00Z")
    String since;

    /**
     * The options given, by search field (sender, recipient, messageId, since), in that order.
     *
     * @param usage makes the refusal of an empty value
     */
    Map<String, String> fields(Function<String, RuntimeException> usage) {
        Map<String, String> fields = new LinkedHashMap<>();
        put(fields, "--from", "sender", from, usage);
        put(fields, "--to", "recipient", to, usage);
        put(fields, "--message-id", "messageId", messageId, usage);
        put(fields, "--since", "since", since, usage);
        return fields;
    }

    static void put(Map<String, String> fields, String option, String field, String value,
                    Function<String, RuntimeException> usage) {
        notBlank(option, value, usage);
        if (value != null) {
            fields.put(field, value);
        }
    }

    /** An option given an empty value is a mistake, never "any". */
    static void notBlank(String option, String value, Function<String, RuntimeException> usage) {
        if (value != null && value.isBlank()) {
            throw usage.apply(option + ": an empty value. Fix: give one, or leave " + option + " out");
        }
    }
}
