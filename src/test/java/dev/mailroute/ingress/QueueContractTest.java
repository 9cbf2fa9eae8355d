package dev.mailroute.ingress;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.message.MessageHeaders;
import dev.mailroute.support.Http;
import dev.mailroute.support.LogCapture;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.SmtpClient;
import dev.mailroute.support.TestGateway;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The queue contract cannot be forged: for every header of the contract and every way a client
 * can hand one in at every ingress (an HTTP request header, a JMS property, a header line of the
 * message itself), the message that lands on mail.outbound carries exactly the headers accept
 * wrote, with accept's values. Delivery is stopped, so what is looked at is the queued message
 * itself, as delivery would read it.
 */
class QueueContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What a client tries to set each header of the contract to. */
    private static final Map<String, String> FORGED = forged();

    private static TestGateway gateway;
    private static Connection submitter;
    private static Connection operator;

    @BeforeAll
    static void start() throws Exception {
        gateway = TestGateway.on(Scratch.folder("mailroute-contract")).start();
        // what is on the queue is what is looked at: nothing takes it off meanwhile
        gateway.context().getRouteController().stopRoute("deliver");
        submitter = gateway.submitter().createConnection();
        operator = gateway.internal().createConnection();
        operator.start();
    }

    @AfterAll
    static void stop() throws Exception {
        submitter.close();
        operator.close();
        gateway.close();
    }

    static Stream<Arguments> everyInternalHeaderAtEveryIngress() {
        List<Arguments> cases = new ArrayList<>();
        for (String ingress : List.of("http", "http-batch", "http-merge", "jms", "smtp", "file")) {
            for (String header : new TreeSet<>(MessageHeaders.CONTRACT)) {
                cases.add(Arguments.of(ingress, header));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{1} from {0}")
    @MethodSource("everyInternalHeaderAtEveryIngress")
    void aClientCannotSetAHeaderOfTheQueueContract(String ingress, String header) throws Exception {
        String marker = UUID.randomUUID().toString();
        long before = System.currentTimeMillis();
        submit(ingress, header, FORGED.get(header), marker);

        Message queued = awaitQueued(marker);
        assertThat(contractHeaders(queued)).as("the contract headers of the message %s queued", ingress)
                .isEqualTo(Set.of(MessageHeaders.ID, MessageHeaders.INGRESS, MessageHeaders.SENDER,
                        MessageHeaders.RECIPIENTS, MessageHeaders.SIZE, MessageHeaders.ACCEPTED_AT));
        assertThat(queued.getStringProperty(MessageHeaders.ID)).isNotEqualTo(FORGED.get(MessageHeaders.ID))
                .matches("[0-9a-f-]{36}");
        assertThat(queued.getStringProperty(MessageHeaders.INGRESS)).isEqualTo(ingress.startsWith("http") ? "http" : ingress);
        assertThat(queued.getStringProperty(MessageHeaders.SENDER)).isEqualTo("alerts@example.com");
        assertThat(queued.getStringProperty(MessageHeaders.RECIPIENTS)).isEqualTo("ops@example.com");
        assertThat(queued.getLongProperty(MessageHeaders.SIZE)).isEqualTo(((BytesMessage) queued).getBodyLength());
        assertThat(queued.getLongProperty(MessageHeaders.ACCEPTED_AT)).isGreaterThanOrEqualTo(before);
    }

    @Test
    void aForgedHeaderIsCountedAndLoggedWithoutSteeringAnything() throws Exception {
        String sample = "mailroute_ingress_internal_dropped_total\\{ingress=\"http\"}";
        double baseline = Math.max(0, gateway.metric(sample));
        try (LogCapture events = LogCapture.of("mailroute.events")) {
            String marker = UUID.randomUUID().toString();
            Http.Answer answer = Http.post(gateway.http("/api/v1/messages"), "application/json",
                    request(marker).toString(), "MAILROUTEATTEMPTS", "77", "mailrouteFirstAttempt", "1",
                    "Mailroute-Anything", "x", "X-Harmless", "x");
            assertThat(answer.status()).as(answer.body()).isEqualTo(202);
            awaitQueued(marker);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(events.text())
                    .contains("event=internal-field-dropped ingress=http count=3"));
        }
        assertThat(gateway.metric(sample) - baseline).isEqualTo(3.0);
    }

    @Test
    void aJmsReplyToMakesMailrouteSendNothingAnywhere() throws Exception {
        String marker = UUID.randomUUID().toString();
        try (Session session = submitter.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            TextMessage message = session.createTextMessage(request(marker).toString());
            message.setJMSReplyTo(session.createQueue("mail.failed"));
            session.createProducer(session.createQueue("mail.submit")).send(message);
        }
        awaitQueued(marker);
        // the request is off mail.submit: its exchange has completed, a reply would have been sent by now
        await().atMost(Duration.ofSeconds(20)).until(() -> gateway.broker().messageCount("mail.submit") == 0);
        assertThat(gateway.broker().messageCount("mail.failed")).isZero();
    }

    private static void submit(String ingress, String header, String value, String marker) throws Exception {
        switch (ingress) {
            case "http" -> expect(202, Http.post(gateway.http("/api/v1/messages"), "application/json",
                    request(marker).toString(), header, value));
            case "http-batch" -> expect(200, Http.post(gateway.http("/api/v1/messages/batch"), "application/json",
                    JSON.createArrayNode().add(request(marker)).toString(), header, value));
            case "http-merge" -> {
                ObjectNode merge = request(marker);
                merge.remove("to");
                merge.putArray("recipients").addObject().put("to", "ops@example.com");
                expect(200, Http.post(gateway.http("/api/v1/messages/merge"), "application/json", merge.toString(),
                        header, value));
            }
            case "jms" -> {
                try (Session session = submitter.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
                    TextMessage message = session.createTextMessage(request(marker).toString());
                    message.setStringProperty(header, value);
                    MessageProducer producer = session.createProducer(session.createQueue("mail.submit"));
                    producer.send(message);
                }
            }
            case "smtp" -> {
                try (SmtpClient smtp = SmtpClient.connect("127.0.0.1", gateway.smtpdPort())) {
                    smtp.greeting();
                    assertThat(smtp.command("EHLO client.example.com")).startsWith("250");
                    assertThat(smtp.command("MAIL FROM:<alerts@example.com>")).startsWith("250");
                    assertThat(smtp.command("RCPT TO:<ops@example.com>")).startsWith("250");
                    assertThat(smtp.command("DATA")).startsWith("354");
                    assertThat(smtp.command(raw(header, value, marker) + ".")).startsWith("250");
                    smtp.command("QUIT");
                }
            }
            case "file" -> gateway.drop(marker + ".eml", raw(header, value, marker));
            default -> throw new IllegalArgumentException(ingress);
        }
    }

    /** A message that carries the forged header as a header line of its own, the one channel SMTP and files have. */
    private static String raw(String header, String value, String marker) {
        return "From: alerts@example.com\r\nTo: ops@example.com\r\n" + header + ": " + value + "\r\nSubject: " + marker
               + "\r\n\r\nbody\r\n";
    }

    private static ObjectNode request(String marker) {
        return MailRequests.minimal().put("subject", marker);
    }

    private static void expect(int status, Http.Answer answer) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        if (answer.body().contains("\"results\"")) {
            assertThat(answer.json().get("results").get(0).get("status").asText()).as(answer.body()).isEqualTo("queued");
        }
    }

    /** The message on mail.outbound whose body has the marker, browsed with mailroute's own account. */
    private static Message awaitQueued(String marker) {
        AtomicReference<Message> found = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try (Session session = operator.createSession(false, Session.AUTO_ACKNOWLEDGE);
                 QueueBrowser browser = session.createBrowser(session.createQueue("mail.outbound"))) {
                for (Enumeration<?> messages = browser.getEnumeration(); messages.hasMoreElements(); ) {
                    Message message = (Message) messages.nextElement();
                    if (new String(message.getBody(byte[].class), StandardCharsets.UTF_8).contains(marker)) {
                        found.set(message);
                        return true;
                    }
                }
                return false;
            }
        });
        return found.get();
    }

    /** The queued message's properties that are mailroute's (not the broker's own JMS and Artemis ones). */
    private static Set<String> contractHeaders(Message message) throws Exception {
        Set<String> names = new TreeSet<>();
        for (Object name : Collections.list(message.getPropertyNames())) {
            String text = name.toString();
            if (!text.startsWith("JMS") && !text.startsWith("_AMQ")) {
                names.add(text);
            }
        }
        return names;
    }

    private static Map<String, String> forged() {
        Map<String, String> forged = new HashMap<>();
        forged.put(MessageHeaders.ID, "00000000-0000-0000-0000-000000000077");
        forged.put(MessageHeaders.CLIENT_ID, "forged-key");
        forged.put(MessageHeaders.INGRESS, "forged");
        forged.put(MessageHeaders.SENDER, "evil@attacker.example");
        forged.put(MessageHeaders.RECIPIENTS, "evil@attacker.example");
        forged.put(MessageHeaders.DSN_NOTIFY, "SUCCESS,FAILURE");
        forged.put(MessageHeaders.DSN_RET, "FULL");
        forged.put(MessageHeaders.DSN_ENVID, "forged-envid");
        forged.put(MessageHeaders.DSN_ORCPT, "ops@example.com rfc822;boss@example.com");
        forged.put(MessageHeaders.SIZE, "1");
        forged.put(MessageHeaders.ACCEPTED_AT, "1");
        forged.put(MessageHeaders.ATTEMPTS, "77");
        forged.put(MessageHeaders.FIRST_ATTEMPT, "1");
        forged.put(MessageHeaders.LAST_ATTEMPT, "1");
        forged.put(MessageHeaders.LAST_ERROR, "forged");
        // a client must not suppress its delay notice
        forged.put(MessageHeaders.DELAY_NOTIFIED, "true");
        forged.put(MessageHeaders.FAILURE_REASON, "forged");
        return forged;
    }
}
