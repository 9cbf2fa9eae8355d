package dev.mailroute.accept;

import java.util.List;

/**
 * A request that names a sender it may not use (the sender policy). A rejection like any other —
 * rejected/ for an inbox file, mail.rejected for JMS — which HTTP answers with 403, not 400: the
 * request is well formed, the submitter is not allowed to make it.
 */
public class SenderRefusedException extends RejectedMessageException {

    public SenderRefusedException(List<Problem> problems) {
        super(problems);
    }
}
