package dev.mailroute.accept;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Properties;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.support.Http;
import dev.mailroute.support.LogCapture;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestGateway;
import jakarta.mail.BodyPart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The JSON fields a System.Net.Mail MailMessage needs beyond the basics — Sender, an envelope
 * sender, inline images, DSN, a read receipt — through the gateway to a relay, parsed back with
 * Jakarta Mail, and DSN seen on the wire.
 */
class MailMessageFieldsTest {

    /** A 1x1 PNG. */
    private static final byte[] PNG = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    private static ScriptedSmtpServer relay;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        relay = ScriptedSmtpServer.start().advertiseDsn();
        gateway = TestGateway.on(Scratch.folder("mailroute-fields")).smtp(relay.port())
                .with("mailroute.senders.allowed", "*@example.com").start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
        relay.close();
    }

    @Test
    void senderEnvelopeFromAndReadReceipt() throws Exception {
        ObjectNode request = MailRequests.minimal().put("subject", "on behalf")
                .put("from", "Boss <boss@example.com>").put("sender", "Assistant <assistant@example.com>")
                .put("envelopeFrom", "bounces@example.com").put("readReceiptTo", "boss@example.com");
        gateway.submit(request);
        ScriptedSmtpServer.Transaction delivered = awaitDelivery("on behalf");
        assertThat(delivered.from()).as("MAIL FROM").isEqualTo("bounces@example.com");
        MimeMessage message = parse(delivered.data());
        assertThat(message.getFrom()[0].toString()).isEqualTo("Boss <boss@example.com>");
        assertThat(message.getSender().toString()).isEqualTo("Assistant <assistant@example.com>");
        assertThat(message.getHeader("Disposition-Notification-To", null)).isEqualTo("boss@example.com");
    }

    @Test
    void theSenderIsHeldToTheSenderPolicyToo() {
        Http.Answer answer = Http.post(gateway.http("/api/v1/messages"), "application/json",
                MailRequests.json(MailRequests.minimal().put("from", "app@example.com")
                        .put("sender", "someone@elsewhere.example")));
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.body()).contains("sender: 'someone@elsewhere.example'");
    }

    /** What AlternateView + LinkedResource make in .NET: the html and its image as multipart/related. */
    @Test
    void anInlineImageIsReachableByItsCidFromTheHtml() throws Exception {
        ObjectNode request = MailRequests.minimal().put("subject", "with logo").put("text", "plain version")
                .put("html", "<p><img src=\"cid:logo@example.com\" alt=\"logo\"> html version</p>");
        ArrayNode attachments = request.putArray("attachments");
        attachments.addObject().put("filename", "logo.png").put("contentType", "image/png")
                .put("content", Base64.getEncoder().encodeToString(PNG)).put("inline", true)
                .put("contentId", "logo@example.com");
        attachments.addObject().put("filename", "report.txt").put("contentType", "text/plain")
                .put("content", Base64.getEncoder().encodeToString("the report".getBytes(StandardCharsets.UTF_8)));
        gateway.submit(request);

        MimeMessage message = parse(awaitDelivery("with logo").data());
        MimeMultipart mixed = (MimeMultipart) message.getContent();
        assertThat(message.getContentType()).startsWith("multipart/mixed");
        assertThat(mixed.getCount()).isEqualTo(2);
        MimeMultipart alternative = (MimeMultipart) mixed.getBodyPart(0).getContent();
        assertThat(alternative.getContentType()).startsWith("multipart/alternative");
        assertThat(alternative.getBodyPart(0).getContent()).isEqualTo("plain version");
        MimeMultipart related = (MimeMultipart) alternative.getBodyPart(1).getContent();
        assertThat(related.getContentType()).startsWith("multipart/related");
        String html = (String) related.getBodyPart(0).getContent();
        MimeBodyPart image = (MimeBodyPart) related.getBodyPart(1);
        assertThat(image.getContentID()).isEqualTo("<logo@example.com>");
        assertThat(html).contains("cid:" + image.getContentID().replaceAll("[<>]", ""));
        assertThat(image.getDisposition()).isEqualTo(Part.INLINE);
        assertThat(image.getInputStream().readAllBytes()).isEqualTo(PNG);
        BodyPart report = mixed.getBodyPart(1);
        assertThat(report.getDisposition()).isEqualTo(Part.ATTACHMENT);
        assertThat(report.getFileName()).isEqualTo("report.txt");
    }

    @Test
    void aCidWithoutItsPartAndAPartNobodyShowsAreProblemsNamedByField() {
        ObjectNode request = MailRequests.minimal().put("html", "<img src=\"cid:missing\">");
        request.putArray("attachments").addObject().put("filename", "logo.png").put("contentType", "image/png")
                .put("content", Base64.getEncoder().encodeToString(PNG)).put("inline", true).put("contentId", "logo");
        Http.Answer answer = Http.post(gateway.http("/api/v1/messages"), "application/json", MailRequests.json(request));
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.json().get("errors").toString())
                .contains("references cid:missing, but no inline attachment has that contentId")
                .contains("attachments[0].contentId").contains("'logo' is not referenced from the html");

        ObjectNode withoutId = MailRequests.minimal().put("html", "<p>x</p>");
        withoutId.putArray("attachments").addObject().put("filename", "logo.png").put("contentType", "image/png")
                .put("content", Base64.getEncoder().encodeToString(PNG)).put("inline", true);
        assertThat(Http.post(gateway.http("/api/v1/messages"), "application/json", MailRequests.json(withoutId)).body())
                .contains("attachments[0].contentId").contains("missing; an inline part needs the id");
    }

    @Test
    void dsnOptionsReachARelayThatAnnouncesDsn() {
        ObjectNode request = MailRequests.minimal().put("subject", "with dsn").put("returnContent", "headers");
        request.putArray("notify").add("failure").add("success");
        gateway.submit(request);
        awaitDelivery("with dsn");
        assertThat(relay.envelopeCommands()).anyMatch(line -> line.startsWith("MAIL FROM:<alerts@example.com>")
                                                              && line.contains(" RET=HDRS"));
        assertThat(relay.envelopeCommands()).anyMatch(line -> line.startsWith("RCPT TO:<ops@example.com>")
                                                              && line.contains(" NOTIFY=SUCCESS,FAILURE"));
    }

    /** Never refused for it: delivered without NOTIFY and RET, and the event log says so. */
    @Test
    void aRelayWithoutDsnGetsTheMessageWithoutTheOptionsAndTheLogSaysSo() throws Exception {
        try (ScriptedSmtpServer plain = ScriptedSmtpServer.start();
             TestGateway other = TestGateway.on(Scratch.folder("mailroute-no-dsn")).smtp(plain.port())
                     .start();
             LogCapture events = LogCapture.of("mailroute.events")) {
            ObjectNode request = MailRequests.minimal().put("subject", "dsn nobody hears").put("notify", "never");
            String id = other.submit(request);
            await().atMost(Duration.ofSeconds(20)).until(() -> plain.transactions().size() == 1);
            assertThat(plain.envelopeCommands()).noneMatch(line -> line.contains("NOTIFY") || line.contains("RET="));
            await().until(() -> events.lines().stream().anyMatch(l -> l.contains("event=dsn-not-offered id=" + id)));
            assertThat(events.lines()).anyMatch(l -> l.contains("notify=NEVER"));
        }
    }

    @Test
    void notifyNeverWithOtherOptionsIsRefused() {
        ObjectNode request = MailRequests.minimal();
        request.putArray("notify").add("never").add("failure");
        Http.Answer answer = Http.post(gateway.http("/api/v1/messages"), "application/json", MailRequests.json(request));
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body()).contains("never cannot be combined with success, failure or delay");
    }

    private static ScriptedSmtpServer.Transaction awaitDelivery(String subject) {
        await().atMost(Duration.ofSeconds(20)).until(() -> relay.transactions().stream()
                .anyMatch(t -> t.data().contains("Subject: " + subject + "\r\n")));
        return relay.transactions().stream().filter(t -> t.data().contains("Subject: " + subject + "\r\n"))
                .findFirst().orElseThrow();
    }

    private static MimeMessage parse(String data) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(data.getBytes(StandardCharsets.ISO_8859_1)));
    }
}
