package dev.mailroute.accept;

import java.util.ArrayList;
import java.util.List;

/** Collects the problems of one request so that all of them are reported together. */
final class Problems {

    private final List<Problem> found = new ArrayList<>();

    void add(String field, String reason) {
        found.add(new Problem(field, reason));
    }

    boolean isEmpty() {
        return found.isEmpty();
    }

    boolean any() {
        return !found.isEmpty();
    }

    /** What was found, as one rejection (there must be something). */
    RejectedMessageException rejection() {
        return new RejectedMessageException(found);
    }

    void throwIfAny() throws RejectedMessageException {
        if (!found.isEmpty()) {
            throw new RejectedMessageException(found);
        }
    }
}
