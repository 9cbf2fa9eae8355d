package dev.mailroute.ingress.http;

/** A request the HTTP API refuses before it reaches accept: wrong key, wrong content type, too large. */
public class HttpProblemException extends Exception {

    private final int status;
    private final String type;
    private final String title;

    public HttpProblemException(int status, String type, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
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
}
