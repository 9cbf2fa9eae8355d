package dev.mailroute.ingress.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

import dev.mailroute.accept.Problem;
import dev.mailroute.ledger.LedgerQueries;
import dev.mailroute.ledger.MessageFilter;
import dev.mailroute.observability.LogText;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.apache.camel.util.TimeUtils;

/**
 * The query of {@code GET /api/v1/messages}, read and checked: every parameter that is unknown,
 * repeated, too long or not what it must be is named with why, all of them in one answer. What
 * passes becomes a {@link MessageFilter}, a page size and the position to go on from.
 *
 * <p>The cursor is opaque to clients: the position (accepted at, id) where the previous page ended,
 * in URL-safe base64.
 *
 * @param after where the previous page ended (from {@code cursor}), or null
 */
public record SearchParameters(MessageFilter filter, int limit, LedgerQueries.Position after) {

    static final int DEFAULT_LIMIT = 50;
    static final Set<String> STATES = Set.of("queued", "deferred", "held", "delivered", "bounced", "failed", "expired",
            "deleted");
    static final Set<String> INGRESSES = Set.of("smtp", "http", "jms", "file", "merge", "report");
    private static final Set<String> NAMES = Set.of("recipient", "sender", "messageId", "state", "ingress", "since",
            "until", "limit", "cursor");
    private static final Pattern RELATIVE = Pattern.compile("(\\d{1,6}[smhd])+");
    private static final long LONGEST_LOOK_BACK_MILLIS = TimeUnit.DAYS.toMillis(36_500);
    private static final int MAX_CURSOR = 200;

    /**
     * @param rawQuery the query as sent (still encoded), or null
     * @param apiKey the submit key's name that asks (it sees what it sent), or null for an admin
     * @param clock now, for relative times such as {@code 2h}
     */
    static SearchParameters read(String rawQuery, String apiKey, LongSupplier clock) throws HttpProblemException {
        Map<String, List<String>> given;
        try {
            given = QueryStringDecoder.builder().hasPath(false).semicolonIsNormalChar(true).maxParams(32)
                    .charset(StandardCharsets.UTF_8).build(rawQuery == null ? "" : rawQuery).parameters();
        } catch (IllegalArgumentException e) {
            throw invalid(List.of(new Problem("$", "the query is not URL-encoded correctly: " + e.getMessage())));
        }
        List<Problem> problems = new ArrayList<>();
        Set<String> unknown = new TreeSet<>(given.keySet());
        unknown.removeAll(NAMES);
        for (String name : unknown) {
            problems.add(new Problem(shown(name, 64), "unknown parameter; the parameters are "
                                                     + String.join(", ", new TreeSet<>(NAMES))));
        }
        Values values = new Values(given, problems);
        String recipient = values.text("recipient", 320);
        String sender = values.text("sender", 320);
        String messageId = values.text("messageId", 998);
        String state = values.word("state", STATES);
        String ingress = values.word("ingress", INGRESSES);
        long now = clock.getAsLong();
        Long since = values.time("since", now);
        Long until = values.time("until", now);
        if (since != null && until != null && since >= until) {
            problems.add(new Problem("since", "is not before until"));
        }
        int limit = values.limit();
        LedgerQueries.Position after = values.cursor();
        if (!problems.isEmpty()) {
            throw invalid(problems);
        }
        return new SearchParameters(new MessageFilter(apiKey, recipient, sender, messageId, state, ingress, since,
                until), limit, after);
    }

    /** The cursor of the page after the one that ended here. */
    static String cursor(LedgerQueries.Position position) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((position.acceptedAt() + ":" + position.id()).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpProblemException invalid(List<Problem> problems) {
        String detail = (problems.size() == 1 ? "1 problem: " : problems.size() + " problems: ")
                        + String.join("; ", problems.stream().map(Problem::toString).toList());
        return new HttpProblemException(400, HttpAnswers.TYPE_INVALID, "Invalid search", detail, problems);
    }

    /** A client's text in a reason: one line, bounded, control characters shown escaped (Jackson escapes the rest). */
    static String shown(String text, int max) {
        return LogText.oneLine(text, max);
    }

    /** The parameters given, each read at most once, and the problems found so far. */
    private record Values(Map<String, List<String>> given, List<Problem> problems) {

        /** The one value of a parameter, or null when absent; given twice or empty is a problem. */
        String one(String name) {
            List<String> values = given.get(name);
            if (values == null) {
                return null;
            }
            if (values.size() > 1) {
                problems.add(new Problem(name, "given " + values.size() + " times; give it once"));
                return null;
            }
            if (values.get(0).isEmpty()) {
                problems.add(new Problem(name, "is empty; leave it out to ask for any"));
                return null;
            }
            return values.get(0);
        }

        String text(String name, int max) {
            String value = one(name);
            if (value == null) {
                return null;
            }
            if (value.length() > max) {
                problems.add(new Problem(name, "is " + value.length() + " characters long; at most " + max));
                return null;
            }
            if (value.chars().anyMatch(Character::isISOControl)) {
                problems.add(new Problem(name, "contains control characters"));
                return null;
            }
            return value;
        }

        String word(String name, Set<String> allowed) {
            String value = one(name);
            if (value != null && !allowed.contains(value)) {
                problems.add(new Problem(name, "'" + shown(value, 32) + "' is not one of "
                                               + String.join(", ", new TreeSet<>(allowed))));
                return null;
            }
            return value;
        }

        /** An ISO-8601 instant (2026-12-05T10:00:00Z, or with an offset), or a time ago: 30m, 2h, 7d, 1h30m. */
        Long time(String name, long now) {
            String value = one(name);
            if (value == null) {
                return null;
            }
            if (value.length() <= 40) {
                if (RELATIVE.matcher(value).matches()) {
                    // Camel's duration parser, as for the settings (30s, 2h, 7d); the pattern made sure of the units
                    long ago = TimeUtils.toMilliSeconds(value);
                    if (ago <= LONGEST_LOOK_BACK_MILLIS) {
                        return now - ago;
                    }
                } else {
                    try {
                        return Instant.parse(value).toEpochMilli();
                    } catch (DateTimeParseException | ArithmeticException notUtc) {
                        try {
                            return OffsetDateTime.parse(value).toInstant().toEpochMilli();
                        } catch (DateTimeParseException | ArithmeticException notOffset) {
                            // neither: the problem below
                        }
                    }
                }
            }
            problems.add(new Problem(name, "'" + shown(value, 40) + "' is neither an ISO-8601 time"
                                           + " (2026-12-05T10:00:00Z) nor a time ago such as 30m, 2h or 7d"));
            return null;
        }

        int limit() {
            String value = one("limit");
            if (value == null) {
                return DEFAULT_LIMIT;
            }
            int limit;
            try {
                limit = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                problems.add(new Problem("limit", "'" + shown(value, 20) + "' is not a whole number"));
                return DEFAULT_LIMIT;
            }
            if (limit < 1 || limit > LedgerQueries.MAX_PAGE) {
                problems.add(new Problem("limit", limit + " is not from 1 to " + LedgerQueries.MAX_PAGE));
                return DEFAULT_LIMIT;
            }
            return limit;
        }

        LedgerQueries.Position cursor() {
            String value = one("cursor");
            if (value == null) {
                return null;
            }
            try {
                if (value.length() > MAX_CURSOR) {
                    throw new IllegalArgumentException("too long");
                }
                String decoded = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                String id = decoded.substring(colon + 1);
                if (colon < 1 || id.isEmpty() || id.length() > 64) {
                    throw new IllegalArgumentException("no position");
                }
                return new LedgerQueries.Position(Long.parseLong(decoded.substring(0, colon)), id);
            } catch (IllegalArgumentException e) {
                problems.add(new Problem("cursor", "is not a cursor this API gave (the \"next\" of an answer)"));
                return null;
            }
        }
    }
}
