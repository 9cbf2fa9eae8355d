package dev.mailroute.delivery;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroute.support.TestGateway;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Delivery trusts nothing it reads off the queue for a file-system path: a message whose id is
 * not one mailroute makes — a path, here — is parked under a new id, never written where its id
 * points, never delivered.
 */
class ForeignMessageTest {

    @TempDir
    Path data;

    @Test
    void aMessageWithAnIdThatIsAPathIsParkedNotWrittenThere() throws Exception {
        try (TestGateway gateway = TestGateway.on(data).start();
             Connection connection = gateway.internal().createConnection()) {
            byte[] mime = "From: a@example.com\r\nTo: b@example.com\r\nSubject: forged\r\n\r\nbody\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
            try (Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
                for (String id : List.of("../../escaped-X", data.resolve("absolute-X").toString())) {
                    BytesMessage message = session.createBytesMessage();
                    message.writeBytes(mime);
                    message.setStringProperty("mailrouteId", id);
                    message.setStringProperty("mailrouteSender", "a@example.com");
                    message.setStringProperty("mailrouteRecipients", "b@example.com");
                    session.createProducer(session.createQueue("mail.outbound")).send(message);
                }
            }
            await().until(() -> gateway.files("failed").stream().filter(p -> p.toString().endsWith(".json")).count() == 2);
            gateway.awaitQueueEmpty();

            for (Path record : gateway.files("failed").stream().filter(p -> p.toString().endsWith(".json")).toList()) {
                JsonNode json = new ObjectMapper().readTree(record.toFile());
                assertThat(json.get("kind").asText()).isEqualTo("foreign");
                assertThat(json.get("reason").asText()).contains("its id is not one mailroute makes");
                assertThat(json.get("id").asText()).matches("[0-9a-f-]{36}");
                assertThat(Files.readString(record.resolveSibling(json.get("id").asText() + ".eml")))
                        .contains("Subject: forged");
            }
            assertThat(gateway.files("pickup")).isEmpty();
            assertThat(data.getParent().resolve("escaped-X.eml")).doesNotExist();
            assertThat(data.resolve("absolute-X.eml")).doesNotExist();
            await().until(() -> gateway.broker().messageCount("mail.failed") == 2);
        }
    }
}
