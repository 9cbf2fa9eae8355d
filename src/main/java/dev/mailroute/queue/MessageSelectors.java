package dev.mailroute.queue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import dev.mailroute.message.MessageHeaders;

/**
 * JMS selectors that pick messages on mailroute's queues by mailroute's id ({@code mailrouteId IN
 * ('..', ..)}), a bounded number of ids each so that no selector grows without limit. Only ids of
 * the form mailroute makes (a UUID) go into a selector: the text of a selector is code for the
 * broker, and an id is quoted into it, so anything else is left out rather than escaped.
 */
public final class MessageSelectors {

    /**
     * Ids in one selector at most; a longer list becomes several selectors. The broker goes through
     * the whole queue once per selector (2.2–3.4 s over 100,000 paged messages, bench/run.sh queue)
     * and looks each message's id up in a hash set of the selector's ids, so fewer, larger selectors
     * are faster: 500 to a selector took a bulk delete of 10,000 messages 40 s. 5,000 ids are a
     * selector of about 200,000 characters, well below the size at which the management request
     * would become a large message (mailroute's factory: 1 MiB).
     */
    public static final int CHUNK = 5_000;
    /** Every message on the queue. */
    public static final String ALL = "";

    private static final Pattern ID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private MessageSelectors() {
    }

    /** True for an id mailroute could have made. */
    public static boolean isId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** Selectors that together match exactly the messages with these ids; ids not of mailroute's form are left out. */
    public static List<String> byIds(List<String> ids) {
        List<String> valid = ids.stream().filter(MessageSelectors::isId).distinct().toList();
        List<String> selectors = new ArrayList<>();
        for (int from = 0; from < valid.size(); from += CHUNK) {
            List<String> chunk = valid.subList(from, Math.min(valid.size(), from + CHUNK));
            selectors.add(MessageHeaders.ID + " IN ('" + String.join("', '", chunk) + "')");
        }
        return selectors;
    }
}
