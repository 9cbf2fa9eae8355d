package dev.mailroute.accept;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

import dev.mailroute.message.AcceptedMessage;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class RawMessageReaderTest {

    private final RawMessageReader reader = new RawMessageReader();

    @Test
    void takesTheEnvelopeFromLeadingXSenderLinesAndRemovesThem() throws Exception {
        AcceptedMessage accepted = read("x-sender: <bounce@example.com>\r\nX-Receiver: a@example.com\r\n"
                                        + "X-Receiver: b@example.com\r\nFrom: c@example.com\r\nTo: c@example.com\r\n"
                                        + "Subject: s\r\n\r\nbody\r\n");
        assertThat(accepted.envelope().senderAddress()).isEqualTo("bounce@example.com");
        assertThat(accepted.envelope().recipients()).extracting(InternetAddress::getAddress)
                .containsExactly("a@example.com", "b@example.com");
        MimeMessage message = parse(accepted.mime());
        assertThat(message.getHeader("X-Sender")).isNull();
        assertThat(message.getHeader("X-Receiver")).isNull();
        assertThat(message.getSubject()).isEqualTo("s");
    }

    /** A parked report's file, as failed/ and pickup files write the null sender, reads back as one. */
    @Test
    void readsXSenderNullAsTheNullSenderWhoseFromIsRequired() throws Exception {
        AcceptedMessage accepted = read("X-Sender: <>\r\nX-Receiver: a@example.com\r\n"
                                        + "From: MAILER-DAEMON@gateway.example.com\r\nTo: a@example.com\r\n\r\nreport\r\n");
        assertThat(accepted.envelope().nullSender()).isTrue();
        assertThat(accepted.envelope().senderAddress()).isEmpty();
        assertThat(reject("X-Sender: <>\r\nX-Receiver: a@example.com\r\nSubject: s\r\n\r\nx\r\n").getMessage())
                .startsWith("From: missing; a message from the null sender");
    }

    @Test
    void takesTheEnvelopeFromHeadersOtherwiseAndFixesMessageIdAndDateOnce() throws Exception {
        AcceptedMessage accepted = read("From: a@example.com\nTo: b@example.com, C <c@example.com>\n"
                                        + "Bcc: B@example.com, d@example.com\nSubject: s\n\nbody\n");
        assertThat(accepted.envelope().senderAddress()).isEqualTo("a@example.com");
        assertThat(accepted.envelope().recipients()).extracting(InternetAddress::getAddress)
                .as("duplicates across To and Bcc are one recipient")
                .containsExactly("b@example.com", "c@example.com", "d@example.com");
        MimeMessage message = parse(accepted.mime());
        assertThat(message.getMessageID()).isEqualTo("<test-id@example.com>");
        assertThat(message.getSentDate()).isNotNull();
    }

    @Test
    void keepsAnExistingMessageId() throws Exception {
        AcceptedMessage accepted = read("Message-ID: <own@example.com>\nFrom: a@example.com\nTo: b@example.com\n\nx");
        assertThat(parse(accepted.mime()).getMessageID()).isEqualTo("<own@example.com>");
    }

    @Test
    void rejectsWithTheFieldNamed() {
        assertThat(reject("Subject: s\n\nbody").getMessage()).startsWith("From: missing");
        assertThat(reject("From: a@example.com\nSubject: s\n\nbody").getMessage()).startsWith("To: no recipients");
        assertThat(reject("From: a@example.com\nTo: b@\n\nbody").getMessage()).startsWith("To: ");
        assertThat(reject("").getMessage()).startsWith("$: is empty");
        assertThat(reject("From: nobody@\nSubject: s\n\nbody").problems()).extracting(Problem::field)
                .containsExactly("From", "To");
        assertThat(reject("X-Sender: a@example.com\nhello world\n").getMessage())
                .isEqualTo("$: is not an RFC 5322 message: line 2 is not a header field (hello world)");
    }

    private static final String HEADERS = "Message-ID: <long@example.com>\r\nDate: Mon, 1 Dec 2025 10:00:00 +0000\r\n"
                                          + "From: a@example.com\r\nTo: b@example.com\r\nX-Ticket: 42\r\n";

    @Test
    void aBodyLineOverNineHundredNinetyEightOctetsIsReencodedAndTheHeadersKept() throws Exception {
        String line = "Gr\u00fc\u00dfe from a long line; ".repeat(80); // 2,240 octets in UTF-8, sent 8bit
        AcceptedMessage accepted = read(HEADERS + "Content-Type: text/plain; charset=UTF-8\r\n"
                                        + "Content-Transfer-Encoding: 8bit\r\n\r\nfirst\r\n" + line + "\r\nlast\r\n");
        assertThat(longestLine(accepted.mime())).isLessThanOrEqualTo(998);
        MimeMessage message = parse(accepted.mime());
        assertThat(message.getContent()).isEqualTo("first\r\n" + line + "\r\nlast\r\n");
        assertThat(message.getEncoding()).isEqualTo("quoted-printable");
        assertThat(message.getMessageID()).isEqualTo("<long@example.com>");
        assertThat(message.getHeader("Date", null)).isEqualTo("Mon, 1 Dec 2025 10:00:00 +0000");
        assertThat(message.getHeader("X-Ticket", null)).isEqualTo("42");
        assertThat(message.getContentType()).isEqualTo("text/plain; charset=UTF-8");
    }

    @Test
    void longLinesInPartsOfAMultipartAreReencodedAndTheOtherPartsLeftAsTheyWere() throws Exception {
        String text = "x".repeat(2000);
        String data = "0123456789".repeat(150);
        AcceptedMessage accepted = read(HEADERS + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n"
                + "\r\n--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + text + "\r\n"
                + "--b1\r\nContent-Type: text/plain\r\n\r\nshort\r\n"
                + "--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=d.txt\r\n"
                + "Content-Transfer-Encoding: 7bit\r\n\r\n" + data + "\r\n--b1--\r\n");
        assertThat(longestLine(accepted.mime())).isLessThanOrEqualTo(998);
        MimeMessage message = parse(accepted.mime());
        assertThat(message.getMessageID()).isEqualTo("<long@example.com>");
        MimeMultipart mixed = (MimeMultipart) message.getContent();
        assertThat(mixed.getCount()).isEqualTo(3);
        assertThat(mixed.getBodyPart(0).getContent()).isEqualTo(text);
        assertThat(((MimeBodyPart) mixed.getBodyPart(0)).getEncoding()).isEqualTo("quoted-printable");
        assertThat(mixed.getBodyPart(1).getContent()).isEqualTo("short");
        assertThat(((MimeBodyPart) mixed.getBodyPart(2)).getEncoding()).isIn("quoted-printable", "base64");
        assertThat(mixed.getBodyPart(2).getInputStream().readAllBytes())
                .isEqualTo(data.getBytes(StandardCharsets.US_ASCII));
        assertThat(mixed.getBodyPart(2).getFileName()).isEqualTo("d.txt");
    }

    @Test
    void aMessageWithoutLongLinesIsKeptByteForByte() throws Exception {
        String raw = HEADERS + "Subject: s\r\n\r\n" + "y".repeat(998) + "\r\n";
        assertThat(new String(read(raw).mime(), StandardCharsets.UTF_8)).isEqualTo(raw);
    }

    @Test
    void aHeaderLineOverNineHundredNinetyEightOctetsIsRefusedByName() {
        RejectedMessageException e = reject(HEADERS + "X-Long: " + "z".repeat(1192) + "\r\nSubject: s\r\n\r\nbody\r\n");
        assertThat(e.problems()).extracting(Problem::field).containsExactly("X-Long");
        assertThat(e.getMessage()).contains("a line of 1200 octets (line 6)").contains("at most 998 octets");
    }

    private static int longestLine(byte[] mime) {
        int longest = 0;
        for (String line : new String(mime, StandardCharsets.ISO_8859_1).split("\r\n")) {
            longest = Math.max(longest, line.length());
        }
        return longest;
    }

    private AcceptedMessage read(String text) throws RejectedMessageException {
        return reader.read(text.getBytes(StandardCharsets.UTF_8), null, "test-id", null).message();
    }

    private RejectedMessageException reject(String text) {
        RejectedMessageException e = catchThrowableOfType(RejectedMessageException.class, () -> read(text));
        assertThat(e).as("rejected").isNotNull();
        return e;
    }

    private static MimeMessage parse(byte[] mime) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(mime));
    }
}
