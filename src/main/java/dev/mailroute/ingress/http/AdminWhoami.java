package dev.mailroute.ingress.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;

/**
 * {@code GET /api/v1/admin/whoami}: the name of the admin key the request was made with, and
 * nothing for any other key. The operator console signs in with it (docs/console.md): a submit key
 * can read the status API too (its own messages), so only an answer that a submit key cannot get
 * tells the console it holds an admin key.
 */
public final class AdminWhoami {

    private final ObjectMapper mapper = new ObjectMapper();

    /** After {@link HttpRequestCheck#read}: 200 {@code {"name": "..."}} for an admin key, else 403. */
    public void answer(Exchange exchange) throws HttpProblemException {
        HttpRequestCheck.Reader reader = exchange.getProperty(HttpRequestCheck.READER, HttpRequestCheck.Reader.class);
        if (reader == null) {
            // a route that forgot httpRequestCheck.read: closed, not open
            throw new HttpProblemException(401, HttpAnswers.TYPE_UNAUTHORIZED, "Unauthorized",
                    "this route answers without checking the key (httpRequestCheck read)");
        }
        if (!reader.admin()) {
            throw new HttpProblemException(403, HttpAnswers.TYPE_ADMIN_ONLY, "Admin key needed", "the key '" + reader.keyName()
                    + "' is a submit key (mailroute.api.keys); this needs one of mailroute.admin.keys");
        }
        ObjectNode body = mapper.createObjectNode().put("name", reader.keyName()).put("admin", true);
        HttpAnswers.answer(exchange.getMessage(), 200, "application/json", body);
    }
}
