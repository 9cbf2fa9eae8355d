package dev.mailroute.ingress;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.support.Http;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.SmtpClient;
import dev.mailroute.support.TestGateway;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Lines longer than RFC 5322 allows (998 octets): a raw message's body is re-encoded on the way
 * to the relay, a header that long is refused by name, and a JSON request's long text comes out
 * encoded. What the relay receives is parsed back with Jakarta Mail.
 */
class LongLinesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ScriptedSmtpServer relay;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        relay = ScriptedSmtpServer.start();
        gateway = TestGateway.on(Scratch.folder("mailroute-long-lines")).smtp(relay.port()).start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
        relay.close();
    }

    @Test
    void aRawMessageWithATwoThousandOctetLineArrivesReencodedAndDecodesToTheSameText() throws Exception {
        String line = "0123456789".repeat(200);
        String eml = "Message-ID: <long-http@example.com>\r\nFrom: app@example.com\r\nTo: ops@example.com\r\n"
                     + "Subject: long over http\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
                     + "before\r\n" + line + "\r\nafter\r\n";
        Http.Answer answer = Http.post(gateway.http("/api/v1/messages"), "message/rfc822", eml);
        assertThat(answer.status()).as(answer.body()).isEqualTo(202);

        ScriptedSmtpServer.Transaction delivered = awaitDelivery("long over http");
        assertThat(longestLine(delivered.data())).isLessThanOrEqualTo(998);
        MimeMessage message = parse(delivered.data());
        assertThat(message.getContent()).isEqualTo("before\r\n" + line + "\r\nafter\r\n");
        assertThat(message.getMessageID()).isEqualTo("<long-http@example.com>");
    }

    @Test
    void overSmtpTooALongBodyLineIsReencoded() throws Exception {
        String line = "abc ".repeat(500);
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", gateway.smtpdPort())) {
            client.greeting();
            client.command("EHLO client.example.com");
            assertThat(client.command("MAIL FROM:<app@example.com>")).startsWith("250");
            assertThat(client.command("RCPT TO:<ops@example.com>")).startsWith("250");
            assertThat(client.command("DATA")).startsWith("354");
            assertThat(client.command("From: app@example.com\r\nTo: ops@example.com\r\nSubject: long over smtp\r\n\r\n"
                                      + line + "\r\n.")).startsWith("250");
        }
        ScriptedSmtpServer.Transaction delivered = awaitDelivery("long over smtp");
        assertThat(longestLine(delivered.data())).isLessThanOrEqualTo(998);
        assertThat(parse(delivered.data()).getContent()).isEqualTo(line + "\r\n");
    }

    @Test
    void aHeaderLineOfTwelveHundredOctetsIsRefusedNamingTheHeader() {
        String eml = "From: app@example.com\r\nTo: ops@example.com\r\nX-Trace: " + "t".repeat(1191) + "\r\n"
                     + "Subject: long header\r\n\r\nbody\r\n";
        Http.Answer answer = Http.post(gateway.http("/api/v1/messages"), "message/rfc822", eml);
        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        JsonNode error = answer.json().get("errors").get(0);
        assertThat(error.get("field").asText()).isEqualTo("X-Trace");
        assertThat(error.get("reason").asText()).contains("a line of 1200 octets (line 3)")
                .contains("at most 998 octets");
    }

    @Test
    void aJsonRequestsSingleLineTextAndHtmlOfFiveThousandCharactersArriveEncoded() throws Exception {
        String text = "plain words, ".repeat(385);
        String html = "<p>" + "<b>html</b> words ".repeat(270) + "</p>";
        ObjectNode request = JSON.createObjectNode();
        request.put("from", "app@example.com");
        request.put("to", "ops@example.com");
        request.put("subject", "long json");
        request.put("text", text);
        request.put("html", html);
        Http.Answer answer = Http.post(gateway.http("/api/v1/messages"), "application/json",
                JSON.writeValueAsString(request));
        assertThat(answer.status()).as(answer.body()).isEqualTo(202);

        ScriptedSmtpServer.Transaction delivered = awaitDelivery("long json");
        assertThat(longestLine(delivered.data())).isLessThanOrEqualTo(998);
        MimeMultipart alternative = (MimeMultipart) parse(delivered.data()).getContent();
        assertThat(alternative.getBodyPart(0).getContent()).isEqualTo(text);
        assertThat(alternative.getBodyPart(1).getContent()).isEqualTo(html);
    }

    @Test
    void aJsonSubjectOrHeaderWithAWordTooLongForOneLineIsRefusedNamingIt() throws Exception {
        // folding breaks a header only at blanks: a 1,500-character word would stay one line
        String word = "w".repeat(1500);
        ObjectNode request = JSON.createObjectNode();
        request.put("from", "app@example.com");
        request.put("to", "ops@example.com");
        request.put("subject", "long word " + word);
        request.putObject("headers").put("X-Trace", word);
        request.put("text", "body");
        Http.Answer answer = Http.post(gateway.http("/api/v1/messages"), "application/json",
                JSON.writeValueAsString(request));
        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        JsonNode errors = answer.json().get("errors");
        assertThat(errors.get(0).get("field").asText()).isEqualTo("Subject");
        assertThat(errors.get(0).get("reason").asText()).contains("a line of 1501 octets")
                .contains("break the value with spaces");
        assertThat(errors.get(1).get("field").asText()).isEqualTo("X-Trace");
    }

    private static ScriptedSmtpServer.Transaction awaitDelivery(String subject) {
        await().atMost(Duration.ofSeconds(30)).until(() -> delivered(subject).size() == 1);
        return delivered(subject).get(0);
    }

    private static List<ScriptedSmtpServer.Transaction> delivered(String subject) {
        return relay.transactions().stream().filter(t -> t.data().contains("Subject: " + subject + "\r\n")).toList();
    }

    private static int longestLine(String data) {
        int longest = 0;
        for (String line : data.split("\r\n")) {
            longest = Math.max(longest, line.length());
        }
        return longest;
    }

    private static MimeMessage parse(String data) throws Exception {
        return new MimeMessage(jakarta.mail.Session.getInstance(new Properties()),
                new ByteArrayInputStream(data.getBytes(StandardCharsets.ISO_8859_1)));
    }
}
