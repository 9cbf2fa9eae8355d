package dev.mailroute.accept;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.mailroute.message.Handover;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Merge requests in the routes: {@link #expand} turns the document into one item per recipient for
 * the batch pipeline (HTTP: one result each); {@link #expandAll} does the same for ingresses that
 * have one answer for the whole document (an inbox file, a JMS message), refusing it when any
 * recipient has a problem, so that a document is queued whole or not at all.
 */
public final class MergeRequests {

    private static final JsonFactory JSON = new JsonFactory();

    /**
     * All recipients' rendered subject, text and html are held in memory, as Java strings (at most
     * two bytes of heap a byte), until the last message is queued; mailroute.message.maxInFlight is
     * sized at a sixteenth of the heap for what is being received and accepted. Twice it keeps one
     * request's rendered messages within a quarter of the heap, and still takes 5,000 messages of
     * 6 KB with the default heap of 256 MiB.
     */
    static final int RENDERED_PER_IN_FLIGHT_BYTE = 2;

    private final MergeRequestReader reader;
    private final long maxBytes;

    public MergeRequests(AcceptSettings settings) {
        this.reader = new MergeRequestReader(settings.maxBytes(), settings.mergeMaxRecipients(),
                settings.maxInFlight() * RENDERED_PER_IN_FLIGHT_BYTE);
        this.maxBytes = settings.maxBytes();
    }

    /** The body becomes a list of {@link MergeRequestReader.Item}s; the request's client key is theirs now. */
    public List<MergeRequestReader.Item> expand(Exchange exchange) throws IOException, RejectedMessageException {
        Message in = exchange.getMessage();
        byte[] json = BoundedBody.read(in, maxBytes, "the merge request", "is empty; send a JSON merge request");
        // each recipient's key is made from it: left on the exchange, every item would carry the same one
        String key = exchange.removeProperty(Handover.CLIENT_KEY) instanceof String given ? given : null;
        List<MergeRequestReader.Item> items = reader.read(json, key == null || key.isBlank() ? null : key);
        in.setBody(items);
        return items;
    }

    /** As {@link #expand}, all recipients or none: their problems together, each named by index. */
    public List<MergeRequestReader.Item> expandAll(Exchange exchange) throws IOException, RejectedMessageException {
        List<MergeRequestReader.Item> items = expand(exchange);
        List<Problem> problems = new ArrayList<>();
        for (MergeRequestReader.Item item : items) {
            if (item.problems() != null) {
                problems.addAll(item.problems().problems());
            }
        }
        if (!problems.isEmpty()) {
            throw new RejectedMessageException(problems);
        }
        return items;
    }

    /** A JSON object with a top-level "recipients" field: found by streaming, without building the document. */
    public boolean isMerge(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        if (body == null) {
            return false;
        }
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                if (parser.currentName().equals("recipients")) {
                    return true;
                }
                parser.nextToken();
                parser.skipChildren();
            }
            return false;
        } catch (IOException e) {
            return false; // not JSON: accept says what is wrong with it
        }
    }
}
