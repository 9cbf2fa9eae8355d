package dev.mailroute.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON mail requests for tests, built with Jackson so that escaping is never hand-made. */
public final class MailRequests {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private MailRequests() {
    }

    public static ObjectNode minimal() {
        ObjectNode request = MAPPER.createObjectNode();
        request.put("from", "Alerts <alerts@example.com>");
        request.putArray("to").add("ops@example.com");
        request.put("subject", "Disk almost full");
        request.put("text", "plain body");
        return request;
    }

    /** The minimal request from this sender to these recipients. */
    public static ObjectNode from(String from, String... to) {
        ObjectNode request = minimal();
        request.put("from", from);
        var recipients = request.putArray("to");
        for (String address : to) {
            recipients.add(address);
        }
        return request;
    }

    public static String json(ObjectNode request) {
        return request.toString();
    }
}
