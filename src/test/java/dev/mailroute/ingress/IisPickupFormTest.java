package dev.mailroute.ingress;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestGateway;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An inbox file as .NET's SmtpClient (SpecifiedPickupDirectory) and CDOSYS write it for an IIS
 * pickup folder: X-Sender/X-Receiver lines, then the message byte-stuffed like an SMTP DATA
 * stream, here with a quoted-printable body. The relay must get the text its author wrote.
 */
class IisPickupFormTest {

    private static final String DOTNET_FILE = String.join("\r\n",
            "X-Sender: app@example.com",
            "X-Receiver: ops@example.com",
            "MIME-Version: 1.0",
            "From: app@example.com",
            "To: ops@example.com",
            "Date: 1 Dec 2026 04:00:00 +0000",
            "Subject: from dotnet",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            "Gr=C3=BC=C3=9Fe",
            "..a line that begins with a dot",
            "..",
            "...two dots",
            "the end=20",
            "");

    @TempDir
    Path data;

    /** With and without the end-of-data line some writers put last. */
    @ParameterizedTest
    @ValueSource(strings = {"", ".\r\n"})
    void aDotNetPickupFileIsUnstuffedOnce(String endOfData) throws Exception {
        try (ScriptedSmtpServer relay = ScriptedSmtpServer.start();
             TestGateway gateway = TestGateway.on(data).smtp(relay.port()).start()) {
            gateway.drop("dotnet.eml", (DOTNET_FILE + endOfData).getBytes(StandardCharsets.US_ASCII));
            await().atMost(Duration.ofSeconds(20)).until(() -> relay.transactions().size() == 1);
            ScriptedSmtpServer.Transaction delivered = relay.transactions().get(0);
            assertThat(delivered.from()).isEqualTo("app@example.com");
            assertThat(delivered.recipients()).containsExactly("ops@example.com");
            MimeMessage message = new MimeMessage(Session.getInstance(new Properties()),
                    new ByteArrayInputStream(delivered.data().getBytes(StandardCharsets.ISO_8859_1)));
            assertThat(message.getContent()).isEqualTo(
                    "Grüße\r\n.a line that begins with a dot\r\n.\r\n..two dots\r\nthe end \r\n");
            assertThat(message.getHeader("X-Sender")).isNull();
        }
    }
}
