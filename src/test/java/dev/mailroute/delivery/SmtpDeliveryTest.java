package dev.mailroute.delivery;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.Mailboxes;
import dev.mailroute.support.TestGateway;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Inbox to SMTP relay, end to end, with GreenMail as the relay. */
class SmtpDeliveryTest {

    @TempDir
    Path data;

    private GreenMail relay;
    private TestGateway gateway;

    @BeforeEach
    void start() {
        relay = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        relay.start();
        gateway = TestGateway.on(data).smtp(relay.getSmtp().getPort()).start();
    }

    @AfterEach
    void stop() {
        gateway.close();
        relay.stop();
    }

    @Test
    void jsonRequestArrivesWithItsPartsAttachmentAndCopies() throws Exception {
        byte[] pdf = new byte[3000];
        for (int i = 0; i < pdf.length; i++) {
            pdf[i] = (byte) (i * 31);
        }
        ObjectNode request = MailRequests.minimal();
        request.put("from", "Jürgen Ops <alerts@example.com>");
        request.put("subject", "Plattenplatz fast voll – 95 %");
        request.putArray("cc").add("Team Lead <lead@example.com>");
        request.putArray("bcc").add("audit@example.com");
        request.put("text", "plain body");
        request.put("html", "<p>html body</p>");
        request.putObject("headers").put("X-Ticket", "42");
        request.putArray("attachments").addObject()
                .put("filename", "report.pdf").put("contentType", "application/pdf")
                .put("content", Base64.getEncoder().encodeToString(pdf));

        gateway.drop("disk.json", MailRequests.json(request));

        await().atMost(Duration.ofSeconds(20)).until(() -> relay.getReceivedMessages().length == 3);
        assertThat(received("ops@example.com")).hasSize(1);
        assertThat(received("lead@example.com")).hasSize(1);
        assertThat(received("audit@example.com")).hasSize(1);

        MimeMessage message = received("ops@example.com").get(0);
        assertThat(message.getSubject()).isEqualTo("Plattenplatz fast voll – 95 %");
        assertThat(((InternetAddress) message.getFrom()[0]).getPersonal()).isEqualTo("Jürgen Ops");
        assertThat(message.getHeader("Subject")[0]).startsWith("=?UTF-8?");
        assertThat(addresses(message.getRecipients(RecipientType.CC))).containsExactly("lead@example.com");
        assertThat(message.getHeader("X-Ticket")).containsExactly("42");

        MimeMultipart mixed = (MimeMultipart) message.getContent();
        assertThat(mixed.getContentType()).startsWith("multipart/mixed");
        MimeMultipart alternative = (MimeMultipart) mixed.getBodyPart(0).getContent();
        assertThat(alternative.getContentType()).startsWith("multipart/alternative");
        assertThat(alternative.getBodyPart(0).isMimeType("text/plain")).isTrue();
        assertThat(alternative.getBodyPart(0).getContent()).isEqualTo("plain body");
        assertThat(alternative.getBodyPart(1).isMimeType("text/html")).isTrue();
        assertThat(alternative.getBodyPart(1).getContent()).isEqualTo("<p>html body</p>");
        BodyPart attachment = mixed.getBodyPart(1);
        assertThat(attachment.getDisposition()).isEqualTo(Part.ATTACHMENT);
        assertThat(attachment.getFileName()).isEqualTo("report.pdf");
        assertThat(attachment.isMimeType("application/pdf")).isTrue();
        assertThat(attachment.getInputStream().readAllBytes()).isEqualTo(pdf);

        for (MimeMessage copy : relay.getReceivedMessages()) {
            assertThat(copy.getHeader("Bcc")).as("no one sees a Bcc header").isNull();
        }
    }

    @Test
    void emlWithXSenderLinesGoesToTheXReceiversOnly() throws Exception {
        String eml = String.join("\r\n",
                "X-Sender: bounces@example.com",
                "X-Receiver: first@example.com",
                "X-Receiver: hidden@example.com",
                "From: App <app@example.com>",
                "To: first@example.com, notincluded@example.com",
                "Subject: written by SmtpClient",
                "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=us-ascii",
                "",
                "pickup body",
                "");
        gateway.drop("smtpclient.eml", eml.getBytes(StandardCharsets.US_ASCII));

        await().atMost(Duration.ofSeconds(20)).until(() -> relay.getReceivedMessages().length == 2);
        assertThat(received("first@example.com")).hasSize(1);
        assertThat(received("hidden@example.com")).hasSize(1);
        assertThat(received("notincluded@example.com")).isEmpty();
        MimeMessage message = received("first@example.com").get(0);
        assertThat(message.getSubject()).isEqualTo("written by SmtpClient");
        assertThat(((String) message.getContent()).trim()).isEqualTo("pickup body");
        assertThat(message.getHeader("X-Sender")).as("envelope lines are not part of the message").isNull();
        assertThat(message.getHeader("X-Receiver")).isNull();
        assertThat(message.getHeader("Message-ID")).as("added once at accept").isNotNull();
        // GreenMail records MAIL FROM as Return-Path
        assertThat(message.getHeader("Return-Path")[0]).contains("bounces@example.com");
    }

    @Test
    void emlWithoutEnvelopeLinesUsesItsHeadersAndDropsBcc() throws Exception {
        String eml = String.join("\n",
                "From: app@example.com",
                "To: to@example.com",
                "Cc: cc@example.com",
                "Bcc: secret@example.com",
                "Subject: plain eml",
                "",
                "body",
                "");
        gateway.drop("plain.eml", eml);

        await().atMost(Duration.ofSeconds(20)).until(() -> relay.getReceivedMessages().length == 3);
        assertThat(received("secret@example.com")).hasSize(1);
        for (MimeMessage copy : relay.getReceivedMessages()) {
            assertThat(copy.getHeader("Bcc")).isNull();
        }
        gateway.awaitInboxEmpty();
    }

    private List<MimeMessage> received(String address) {
        return Mailboxes.of(relay, address);
    }

    private static List<String> addresses(Address[] addresses) {
        return Arrays.stream(addresses).map(a -> ((InternetAddress) a).getAddress()).toList();
    }
}
