package dev.mailroute.accept;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Who may be named as the sender ({@code mailroute.senders.allowed}): patterns such as
 * {@code *@example.com} or {@code alerts@example.org} ({@code *} stands for any characters; case
 * does not matter); none means any sender. Checked once, in accept, for every ingress: the
 * envelope sender and every address of the From and Sender headers must match. A submitter may be
 * narrowed further — an API key's or an SMTP user's own patterns, handed over in the exchange
 * property {@link #REQUEST_PATTERNS} — and must then match both.
 */
public final class SenderPolicy {

    /** Exchange property: the patterns of whoever submitted this request (API key, SMTP user). */
    public static final String REQUEST_PATTERNS = "mailrouteSenderPatterns";

    private final List<String> allowed;
    private final List<Pattern> compiled;

    public SenderPolicy(List<String> allowed) {
        this.allowed = List.copyOf(allowed);
        this.compiled = allowed.stream().map(SenderPolicy::compile).toList();
    }

    /** One sender a request names, and how the request names it (from, X-Sender, MAIL FROM, From, Sender). */
    public record Sender(String field, String address) {
    }

    /** @throws SenderRefusedException naming each sender that is not allowed, and the setting that refuses it */
    public void check(List<Sender> senders, List<String> requestPatterns) throws SenderRefusedException {
        List<Pattern> narrowed = requestPatterns == null ? List.of()
                : requestPatterns.stream().map(SenderPolicy::compile).toList();
        List<Problem> problems = new ArrayList<>();
        for (Sender sender : senders) {
            if (!matches(compiled, sender.address())) {
                problems.add(new Problem(sender.field(), "'" + sender.address() + "' may not send through mailroute;"
                        + " the allowed senders are " + String.join(" ", allowed) + " (mailroute.senders.allowed)"));
            } else if (!matches(narrowed, sender.address())) {
                problems.add(new Problem(sender.field(), "'" + sender.address() + "' may not be used with these"
                        + " credentials; they may send as " + String.join(" ", requestPatterns)));
            }
        }
        if (!problems.isEmpty()) {
            throw new SenderRefusedException(problems.stream().distinct().toList());
        }
    }

    /** No patterns: anyone. */
    private static boolean matches(List<Pattern> patterns, String address) {
        if (patterns.isEmpty()) {
            return true;
        }
        String lower = address.toLowerCase(Locale.ROOT);
        return patterns.stream().anyMatch(p -> p.matcher(lower).matches());
    }

    /** {@code *@example.com}: '*' is any run of characters, everything else literal. */
    static Pattern compile(String glob) {
        return Pattern.compile(Arrays.stream(glob.toLowerCase(Locale.ROOT).split("\\*", -1)).map(Pattern::quote)
                .collect(Collectors.joining(".*")));
    }
}
