package dev.mailroute.ingress;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.support.Http;
import dev.mailroute.support.Http.Answer;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.Metrics;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.SmtpClient;
import dev.mailroute.support.TestGateway;
import jakarta.jms.Connection;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * mailroute.message.maxInFlight: while one client holds a large message half sent, another
 * message that would take the memory over the limit is told to come back — HTTP 503 with
 * Retry-After, SMTP 452 4.3.1 — and goes through once the first is gone. Nothing is refused for
 * good, and the slow client holding memory does not break the server.
 */
class InFlightLimitTest {

    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = TestGateway.on(Scratch.folder("mailroute-in-flight"))
                .with("mailroute.message.maxBytes", "64KiB")
                .with("mailroute.message.maxInFlight", "100KiB")
                .start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void anHttpRequestOverTheLimitIsToldToComeBackAndThenAccepted() throws Exception {
        String request = request(50_000);
        try (Socket holder = halfSentHttpRequest(60_000)) {
            awaitHeld();
            Answer busy = post(request);
            assertThat(busy.status()).as(busy.body()).isEqualTo(503);
            assertThat(busy.header("Retry-After")).isEqualTo("5");
            assertThat(busy.json().get("type").asText()).isEqualTo("urn:mailroute:problem:busy");
            assertThat(busy.json().get("detail").asText()).contains("mailroute.message.maxInFlight")
                    .contains("102400 bytes");
            assertThat(post(request(100)).status()).as("a small one still fits beside the half-sent one")
                    .isEqualTo(202);
        }
        // the client that went away gave its share back
        await().atMost(Duration.ofSeconds(10)).until(() -> Metrics.value(gateway.http("/observe/metrics"),
                "mailroute_memory_inflight_bytes", null) == 0);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(post(request).status()).isEqualTo(202));
    }

    @Test
    void anSmtpMessageOverTheLimitGets452AndThenGoesThrough() {
        try (SmtpClient holder = SmtpClient.connect("127.0.0.1", gateway.smtpdPort());
             SmtpClient other = SmtpClient.connect("127.0.0.1", gateway.smtpdPort())) {
            for (SmtpClient client : new SmtpClient[] {holder, other}) {
                client.greeting();
                assertThat(client.command("EHLO test.example.com")).startsWith("250");
            }
            transaction(holder);
            // more than the listener reads at once (8 KiB), less than the limit
            holder.send("Subject: held\r\n\r\n" + ("x".repeat(70) + "\r\n").repeat(300));
            awaitHeld();

            transaction(other);
            other.send("Subject: second\r\n\r\nhello\r\n.\r\n");
            assertThat(other.reply()).startsWith("452 4.3.1").contains("mailroute.message.maxInFlight");

            holder.send(".\r\n");
            assertThat(holder.reply()).startsWith("250");

            transaction(other);
            other.send("Subject: second\r\n\r\nhello\r\n.\r\n");
            assertThat(other.reply()).as("the same message, sent again").startsWith("250");
        }
    }

    @Test
    void aJmsSubmissionWaitsForRoomAndIsThenAccepted() throws Exception {
        gateway.awaitQueueEmpty(); // what the other tests sent is delivered
        int before = gateway.files("pickup").size();
        try (Socket holder = halfSentHttpRequest(60_000)) {
            awaitHeld();
            try (ActiveMQConnectionFactory factory = gateway.submitter();
                 Connection connection = factory.createConnection();
                 Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
                session.createProducer(session.createQueue("mail.submit"))
                        .send(session.createTextMessage(request(50_000)));
            }
            // it waits for the half-sent request: taken off mail.submit's consumer side, waiting for room,
            // neither refused nor delivered
            await().atMost(Duration.ofSeconds(20)).until(() -> Metrics.value(gateway.http("/observe/metrics"),
                    "mailroute_memory_inflight_waiting", null) == 1);
            assertThat(gateway.files("pickup")).hasSize(before);
            assertThat(gateway.broker().messageCount("mail.rejected")).isZero();
        }
        gateway.awaitFiles("pickup", before + 1);
    }

    private static void transaction(SmtpClient client) {
        assertThat(client.command("MAIL FROM:<alerts@example.com>")).startsWith("250");
        assertThat(client.command("RCPT TO:<ops@example.com>")).startsWith("250");
        assertThat(client.command("DATA")).startsWith("354");
    }

    /** A request that announces its length and sends only a part of it: it holds its share while it waits. */
    private static Socket halfSentHttpRequest(int length) throws IOException {
        Socket socket = new Socket("127.0.0.1", gateway.http("/").getPort());
        OutputStream out = socket.getOutputStream();
        out.write(("POST /api/v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                   + length + "\r\n\r\n{\"from\":").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    /** The half-sent message has taken its share (the gauge operators see says so). */
    private static void awaitHeld() {
        await().atMost(Duration.ofSeconds(5)).until(() -> Metrics.value(gateway.http("/observe/metrics"),
                "mailroute_memory_inflight_bytes", null) > 0);
    }

    private static String request(int textLength) {
        ObjectNode request = MailRequests.minimal();
        request.put("text", "y".repeat(textLength));
        return MailRequests.json(request);
    }

    private static Answer post(String json) {
        return Http.post(gateway.http("/api/v1/messages"), "application/json", json);
    }
}
