package dev.mailroute.accept;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

import dev.mailroute.message.AcceptedMessage;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
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
