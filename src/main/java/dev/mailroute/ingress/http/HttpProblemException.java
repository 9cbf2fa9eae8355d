package dev.mailroute.ingress.http;

import java.util.List;

import dev.mailroute.accept.Problem;

/**
 * A request the HTTP API refuses before it reaches accept: wrong key, wrong content type, too
 * large; or a question to the ledger it cannot answer (a bad parameter, a message it does not show).
 */
public class HttpProblemException extends Exception {

    private final int status;
    private final String type;
    private final String title;
    private final List<Problem> problems;

    public HttpProblemException(int status, String type, String title, String detail) {
        this(status, type, title, detail, List.of());
    }

    /** @param problems each field (parameter) that is wrong and why, listed in the answer's {@code errors} */
    public HttpProblemException(int status, String type, String title, String detail, List<Problem> problems) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.problems = List.copyOf(problems);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public List<Problem> problems() {
        return problems;
    }
}
