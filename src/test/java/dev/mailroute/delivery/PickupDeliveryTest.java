package dev.mailroute.delivery;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.support.Http;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.TestGateway;
import jakarta.mail.Address;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Inbox to pickup folder, in both formats, read back with Jakarta Mail. */
class PickupDeliveryTest {

    @TempDir
    Path data;

    @Test
    void xSenderFormatPutsTheEnvelopeFirstAndLeavesBccOut() throws Exception {
        try (TestGateway gateway = TestGateway.on(data).start()) {
            gateway.drop("hello.json", MailRequests.json(request()));

            Path file = gateway.awaitFiles("pickup", 1).get(0);
            byte[] bytes = Files.readAllBytes(file);
            assertCrlfOnly(bytes);
            assertThat(file.getFileName().toString()).matches("[0-9a-f-]{36}\\.eml");

            List<String> lines = lines(bytes);
            assertThat(lines.subList(0, 4)).containsExactly(
                    "X-Sender: alerts@example.com",
                    "X-Receiver: ops@example.com",
                    "X-Receiver: lead@example.com",
                    "X-Receiver: audit@example.com");
            assertThat(lines.get(4)).doesNotStartWith("X-");

            MimeMessage message = parse(bytes);
            assertThat(message.getHeader("Bcc")).isNull();
            assertThat(message.getSubject()).isEqualTo("Disk almost full");
            assertThat(addresses(message.getRecipients(RecipientType.TO))).containsExactly("ops@example.com");
            assertThat(addresses(message.getRecipients(RecipientType.CC))).containsExactly("lead@example.com");
            MimeMultipart alternative = (MimeMultipart) message.getContent();
            assertThat(alternative.getBodyPart(0).getContent()).isEqualTo("plain body");
            assertThat(alternative.getBodyPart(1).getContent()).isEqualTo("<p>html body</p>");
            assertThat(message.getMessageID()).contains(file.getFileName().toString().replace(".eml", ""));
            gateway.awaitInboxEmpty();
        }
    }

    @Test
    void headersFormatIsPlainRfc5322WithBcc() throws Exception {
        try (TestGateway gateway = TestGateway.on(data).with("mailroute.pickup.format", "headers").start()) {
            gateway.drop("hello.json", MailRequests.json(request()));
            // an .eml whose hidden recipient is only in the envelope: it must become a Bcc
            gateway.drop("envelope.eml", String.join("\n",
                    "X-Sender: app@example.com",
                    "X-Receiver: visible@example.com",
                    "X-Receiver: hidden@example.com",
                    "From: app@example.com",
                    "To: visible@example.com",
                    "Subject: envelope only",
                    "",
                    "body"));

            List<Path> files = gateway.awaitFiles("pickup", 2);
            List<MimeMessage> messages = new ArrayList<>();
            for (Path file : files) {
                byte[] bytes = Files.readAllBytes(file);
                assertCrlfOnly(bytes);
                assertThat(lines(bytes).get(0)).doesNotStartWith("X-Sender");
                messages.add(parse(bytes));
            }
            MimeMessage json = messages.stream().filter(m -> subject(m).equals("Disk almost full")).findFirst()
                    .orElseThrow();
            assertThat(addresses(json.getRecipients(RecipientType.BCC))).containsExactly("audit@example.com");
            assertThat(json.getFrom()[0].toString()).isEqualTo("Alerts <alerts@example.com>");

            MimeMessage eml = messages.stream().filter(m -> subject(m).equals("envelope only")).findFirst()
                    .orElseThrow();
            assertThat(addresses(eml.getRecipients(RecipientType.TO))).containsExactly("visible@example.com");
            assertThat(addresses(eml.getRecipients(RecipientType.BCC))).containsExactly("hidden@example.com");
            assertThat(eml.getHeader("X-Sender")).isNull();
        }
    }

    /**
     * IIS SMTP reads the x-sender form as an SMTP DATA stream: a line beginning with '.' is written
     * with one more, in a quoted-printable body too. Dropped into the inbox again — as an operator
     * does with a failed/ record, which has the same form — the file is the same message.
     */
    @Test
    void xSenderFilesAreByteStuffedAndRoundTripThroughTheInbox() throws Exception {
        String text = "Grüße\r\n.a line that begins with a dot\r\n.\r\n..two dots\r\nthe end";
        try (TestGateway gateway = TestGateway.on(data).start()) {
            gateway.drop("dots.json", MailRequests.json(MailRequests.minimal().put("text", text)));
            Path first = gateway.awaitFiles("pickup", 1).get(0);
            byte[] written = Files.readAllBytes(first);
            assertThat(lines(written)).contains("..a line that begins with a dot", "..", "...two dots")
                    .doesNotContain(".");
            MimeMessage sent = parse(unstuffed(written));
            assertThat(sent.getEncoding()).isEqualTo("quoted-printable");
            assertThat(sent.getContent()).isEqualTo(text);

            Path inbox = gateway.folder("inbox");
            Files.move(first, inbox.resolve("again.eml"));
            Path second = gateway.awaitFiles("pickup", 1).get(0);
            assertThat(second.getFileName()).isNotEqualTo(first.getFileName());
            assertThat(new String(Files.readAllBytes(second), StandardCharsets.US_ASCII))
                    .isEqualTo(new String(written, StandardCharsets.US_ASCII));
        }
    }

    /** Exchange's Pickup folder takes plain RFC 5322 files: the headers form is not stuffed. */
    @Test
    void headersFilesAreNotStuffed() throws Exception {
        String text = ".a line that begins with a dot\r\n.\r\nthe end";
        try (TestGateway gateway = TestGateway.on(data).with("mailroute.pickup.format", "headers").start()) {
            gateway.drop("dots.json", MailRequests.json(MailRequests.minimal().put("text", text)));
            byte[] written = Files.readAllBytes(gateway.awaitFiles("pickup", 1).get(0));
            assertThat(lines(written)).contains(".a line that begins with a dot", ".");
            assertThat(parse(written).getContent()).isEqualTo(text);
        }
    }

    @Test
    void nonAsciiBodiesAreUtf8In7BitTransferEncodings() throws Exception {
        String text = "Grüße aus Köln — 東京 ✓\r\nzweite Zeile";
        String html = "<p>Grüße — 東京 ✓</p>";
        ObjectNode textOnly = MailRequests.minimal();
        textOnly.put("subject", "text only");
        textOnly.put("text", text);
        ObjectNode both = MailRequests.minimal();
        both.put("subject", "both");
        both.put("text", text);
        both.put("html", html);
        try (TestGateway gateway = TestGateway.on(data).start()) {
            gateway.drop("text.json", MailRequests.json(textOnly));
            gateway.drop("both.json", MailRequests.json(both));

            List<MimeMessage> messages = new ArrayList<>();
            for (Path file : gateway.awaitFiles("pickup", 2)) {
                byte[] bytes = Files.readAllBytes(file);
                for (byte b : bytes) {
                    assertThat(b & 0xff).as("every byte of the file is 7-bit").isLessThan(128);
                }
                messages.add(parse(bytes));
            }
            MimeMessage plain = messages.stream().filter(m -> subject(m).equals("text only")).findFirst()
                    .orElseThrow();
            assertThat(plain.getContentType()).isEqualToIgnoringCase("text/plain; charset=UTF-8");
            assertThat(plain.getEncoding()).isIn("quoted-printable", "base64");
            assertThat(plain.getContent()).isEqualTo(text);

            MimeMultipart alternative = (MimeMultipart) messages.stream().filter(m -> subject(m).equals("both"))
                    .findFirst().orElseThrow().getContent();
            assertThat(alternative.getBodyPart(0).getContentType()).isEqualToIgnoringCase("text/plain; charset=UTF-8");
            assertThat(alternative.getBodyPart(0).getContent()).isEqualTo(text);
            assertThat(alternative.getBodyPart(1).getContentType()).isEqualToIgnoringCase("text/html; charset=UTF-8");
            assertThat(alternative.getBodyPart(1).getContent()).isEqualTo(html);
        }
    }

    @Test
    void leavesNoTemporaryFileBehind() throws Exception {
        try (TestGateway gateway = TestGateway.on(data).start()) {
            for (int i = 0; i < 5; i++) {
                gateway.drop("m" + i + ".json", MailRequests.json(request()));
            }
            gateway.awaitFiles("pickup", 5);
            try (var all = Files.list(gateway.folder("pickup"))) {
                assertThat(all.map(p -> p.getFileName().toString())).allMatch(n -> n.endsWith(".eml")
                                                                                   && !n.startsWith("."));
            }
        }
    }

    /**
     * A pickup service polls the folder while mailroute writes into it: every {@code .eml} it can
     * see must be whole. Large messages make a file that is visible while being written likely to
     * be caught half-written.
     */
    @Test
    void aReaderPollingThePickupFolderNeverSeesAPartialFile() throws Exception {
        int messages = 20; // 8 MB in one batch, within the default mailroute.message.maxBytes (10 MiB)
        String body = "x".repeat(400_000);
        try (TestGateway gateway = TestGateway.on(data).start()) {
            Path pickup = gateway.folder("pickup");
            Set<String> checked = ConcurrentHashMap.newKeySet();
            List<String> partial = new CopyOnWriteArrayList<>();
            AtomicBoolean done = new AtomicBoolean();
            Thread reader = new Thread(() -> {
                while (!done.get()) {
                    try (Stream<Path> files = Files.list(pickup)) {
                        for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".eml")
                                                           && !f.getFileName().toString().startsWith(".")).toList()) {
                            if (checked.add(file.getFileName().toString())) {
                                MimeMessage message = parse(Files.readAllBytes(file));
                                if (!((String) message.getContent()).trim().equals(body)) {
                                    partial.add(file.getFileName().toString());
                                }
                            }
                        }
                    } catch (Exception e) {
                        partial.add(String.valueOf(e));
                    }
                }
            });
            reader.start();
            String batch = "[" + String.join(",", Collections.nCopies(messages,
                    MailRequests.json(MailRequests.minimal().put("text", body)))) + "]";
            assertThat(Http.post(gateway.http("/api/v1/messages/batch"), "application/json", batch).status())
                    .isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).until(() -> checked.size() == messages);
            done.set(true);
            reader.join();
            assertThat(partial).as("files seen before they were complete").isEmpty();
        }
    }

    private static ObjectNode request() {
        ObjectNode request = MailRequests.minimal();
        request.putArray("cc").add("lead@example.com");
        request.putArray("bcc").add("audit@example.com");
        request.put("html", "<p>html body</p>");
        return request;
    }

    private static MimeMessage parse(byte[] bytes) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
    }

    /** What a pickup service sends: each line that begins with '..' loses one '.'. */
    private static byte[] unstuffed(byte[] file) {
        StringBuilder out = new StringBuilder();
        for (String line : new String(file, StandardCharsets.ISO_8859_1).split("\r\n", -1)) {
            out.append(line.startsWith("..") ? line.substring(1) : line).append("\r\n");
        }
        return out.substring(0, out.length() - 2).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String subject(MimeMessage message) {
        try {
            return message.getSubject();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> lines(byte[] bytes) {
        return Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\r\n"));
    }

    private static void assertCrlfOnly(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                assertThat(i).as("LF at %d is preceded by CR", i).isGreaterThan(0);
                assertThat(bytes[i - 1]).as("LF at %d is preceded by CR", i).isEqualTo((byte) '\r');
            }
            if (bytes[i] == '\r') {
                assertThat(i + 1 < bytes.length && bytes[i + 1] == '\n').as("CR at %d is followed by LF", i).isTrue();
            }
        }
    }

    private static List<String> addresses(Address[] addresses) {
        return addresses == null ? List.of()
                : Arrays.stream(addresses).map(a -> ((InternetAddress) a).getAddress()).toList();
    }
}
