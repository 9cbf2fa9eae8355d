package dev.mailroute.ingress.http;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.accept.Problem;
import dev.mailroute.ledger.LedgerQueries;
import dev.mailroute.ledger.MessageStory;
import dev.mailroute.observability.LogText;
import dev.mailroute.settings.UrlCredentials;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status API: {@code GET /api/v1/messages/{id}} and {@code GET /api/v1/messages?...}, read
 * from the ledger for the key {@link HttpRequestCheck#read} let in. An admin key sees every
 * message; a submit key the messages it sent, and nothing tells it whether another key's message
 * exists: a message it may not see is answered exactly like one that is not there (404).
 */
public final class MessageStatus {

    private static final Logger LOG = LoggerFactory.getLogger(MessageStatus.class);
    private static final String PREFIX = HttpAnswers.MESSAGES;
    /** Longer is no id of mailroute's (the ledger's column holds 64). */
    private static final int MAX_ID = 64;

    private final LedgerQueries queries;
    private final LongSupplier clock;
    private final ObjectMapper mapper = new ObjectMapper();
    private final MessageJson json = new MessageJson(mapper);

    /** @param queries the ledger's reads, or null when the ledger is off */
    public MessageStatus(LedgerQueries queries, LongSupplier clock) {
        this.queries = queries;
        this.clock = clock;
    }

    /** GET /api/v1/messages/{id}[?expand=attempts] */
    public void message(Exchange exchange) throws HttpProblemException {
        HttpRequestCheck.Reader reader = reader(exchange);
        Message in = exchange.getMessage();
        boolean history = expand(in.getHeader(Exchange.HTTP_QUERY, String.class));
        // the path as Camel saw it (no request header can be named Camel*): an id is letters, digits and '-'
        String path = in.getHeader(Exchange.HTTP_PATH, "", String.class);
        String id = path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : "";
        Optional<MessageStory> story = Optional.empty();
        if (!id.isEmpty() && id.length() <= MAX_ID && id.chars().noneMatch(Character::isISOControl)) {
            try {
                story = ledger().message(id, reader.admin() ? null : reader.keyName(), history);
            } catch (SQLException | RuntimeException e) {
                throw unavailable(e);
            }
        }
        if (story.isEmpty()) {
            throw new HttpProblemException(404, HttpAnswers.TYPE_NOT_FOUND, "Not found", "no message with id '"
                    + SearchParameters.shown(id, MAX_ID) + "' that this key may see (a message shows up a moment"
                    + " after its 202)");
        }
        HttpAnswers.answer(in, 200, "application/json", json.message(story.get(), history));
    }

    /**
     * The JSON of {@code GET /api/v1/messages/{id}?expand=attempts} as an admin key sees it, or null
     * when the ledger is off or does not know the id.
     */
    ObjectNode adminStory(String id) throws HttpProblemException {
        if (queries == null) {
            return null;
        }
        try {
            return queries.message(id, null, true).map(story -> json.message(story, true)).orElse(null);
        } catch (SQLException | RuntimeException e) {
            throw unavailable(e);
        }
    }

    /** GET /api/v1/messages?recipient=&sender=&messageId=&state=&ingress=&since=&until=&limit=&cursor= */
    public void search(Exchange exchange) throws HttpProblemException {
        HttpRequestCheck.Reader reader = reader(exchange);
        Message in = exchange.getMessage();
        SearchParameters parameters = SearchParameters.read(in.getHeader(Exchange.HTTP_QUERY, String.class),
                reader.admin() ? null : reader.keyName(), clock);
        LedgerQueries.Page page;
        try {
            page = ledger().search(parameters.filter(), parameters.limit(), parameters.after());
        } catch (SQLException | RuntimeException e) {
            throw unavailable(e);
        }
        ObjectNode body = mapper.createObjectNode();
        ArrayNode messages = body.putArray("messages");
        page.messages().forEach(story -> messages.add(json.message(story, false)));
        if (page.next() != null) {
            body.put("next", SearchParameters.cursor(page.next()));
        }
        HttpAnswers.answer(in, 200, "application/json", body);
    }

    private HttpRequestCheck.Reader reader(Exchange exchange) throws HttpProblemException {
        HttpRequestCheck.Reader reader = exchange.getProperty(HttpRequestCheck.READER, HttpRequestCheck.Reader.class);
        if (reader == null) {
            // a route that forgot httpRequestCheck.read: closed, not open
            throw new HttpProblemException(401, HttpAnswers.TYPE_UNAUTHORIZED, "Unauthorized",
                    "this route reads the ledger without checking the key (httpRequestCheck read)");
        }
        return reader;
    }

    private LedgerQueries ledger() throws HttpProblemException {
        if (queries == null) {
            throw new HttpProblemException(404, HttpAnswers.TYPE_LEDGER_OFF, "Ledger off",
                    "the ledger is off (mailroute.ledger.enabled=false): mailroute keeps no message history to show");
        }
        return queries;
    }

    /** {@code expand=attempts} or nothing; anything else is named. */
    private static boolean expand(String rawQuery) throws HttpProblemException {
        Map<String, List<String>> given;
        try {
            given = QueryStringDecoder.builder().hasPath(false).semicolonIsNormalChar(true).maxParams(32)
                    .charset(StandardCharsets.UTF_8).build(rawQuery == null ? "" : rawQuery).parameters();
        } catch (IllegalArgumentException e) {
            throw invalid(new Problem("$", "the query is not URL-encoded correctly"));
        }
        for (Map.Entry<String, List<String>> parameter : given.entrySet()) {
            if (!parameter.getKey().equals("expand")) {
                throw invalid(new Problem(SearchParameters.shown(parameter.getKey(), 64),
                        "unknown parameter; the only one is expand=attempts"));
            }
            if (!parameter.getValue().equals(List.of("attempts"))) {
                throw invalid(new Problem("expand", "must be attempts, once"));
            }
        }
        return given.containsKey("expand");
    }

    private static HttpProblemException invalid(Problem problem) {
        return new HttpProblemException(400, HttpAnswers.TYPE_INVALID, "Invalid request", "1 problem: " + problem,
                List.of(problem));
    }

    private static HttpProblemException unavailable(Exception e) {
        LOG.error("status API: cannot read the ledger: {}", LogText.oneLine(UrlCredentials.mask(
                String.valueOf(e.getMessage())), 300), e instanceof SQLException ? null : e);
        return new HttpProblemException(503, HttpAnswers.TYPE_LEDGER_UNAVAILABLE, "Ledger unavailable",
                "the ledger cannot be read just now (the gateway log says why); mail is not held up; ask again later");
    }
}
