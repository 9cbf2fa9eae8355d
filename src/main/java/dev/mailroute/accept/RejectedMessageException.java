package dev.mailroute.accept;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A mail request that cannot be accepted. It carries every problem found, not just the first,
 * so the caller can fix them all in one go.
 */
public class RejectedMessageException extends Exception {

    private final List<Problem> problems;

    public RejectedMessageException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public RejectedMessageException(String field, String reason) {
        this(List.of(new Problem(field, reason)));
    }

    public List<Problem> problems() {
        return problems;
    }
}
