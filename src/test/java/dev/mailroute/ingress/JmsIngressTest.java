package dev.mailroute.ingress;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.mailroute.support.LogCapture;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.TestGateway;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A JMS client on the embedded broker's TCP port submits through mail.submit, logged in as a
 * submitter — and may do nothing else there.
 */
class JmsIngressTest {

    private static TestGateway gateway;
    private static Connection connection;
    private static Connection operator;

    @BeforeAll
    static void start() throws Exception {
        gateway = TestGateway.on(Scratch.folder("mailroute-jms")).start();
        connection = gateway.submitter().createConnection();
        connection.start();
        operator = gateway.internal().createConnection();
        operator.start();
    }

    @AfterAll
    static void stop() throws Exception {
        connection.close();
        operator.close();
        gateway.close();
    }

    @Test
    void jsonTextMessageIsDelivered() throws Exception {
        try (Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            MessageProducer producer = session.createProducer(session.createQueue("mail.submit"));
            producer.send(session.createTextMessage(
                    MailRequests.json(MailRequests.minimal().put("subject", "over jms as json"))));
        }
        awaitPickupWith("Subject: over jms as json");
    }

    @Test
    void rawBytesMessageIsDelivered() throws Exception {
        byte[] eml = ("X-Sender: app@example.com\r\nX-Receiver: ops@example.com\r\nFrom: app@example.com\r\n"
                      + "To: ops@example.com\r\nSubject: over jms as bytes\r\n\r\nbody\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        try (Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            BytesMessage message = session.createBytesMessage();
            message.writeBytes(eml);
            session.createProducer(session.createQueue("mail.submit")).send(message);
        }
        Path file = awaitPickupWith("Subject: over jms as bytes");
        assertThat(Files.readString(file)).startsWith("X-Sender: app@example.com\r\nX-Receiver: ops@example.com\r\n");
    }

    @Test
    void invalidMessageMovesToMailRejectedWithItsReason() throws Exception {
        String bad = "{\"from\": \"app@example.com\", \"to\": [\"broken@\"]}";
        try (Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            TextMessage message = session.createTextMessage(bad);
            message.setStringProperty("application", "billing");
            session.createProducer(session.createQueue("mail.submit")).send(message);
        }
        Message rejected = awaitRejected();
        assertThat(rejected).as("a message on mail.rejected").isInstanceOf(TextMessage.class);
        assertThat(((TextMessage) rejected).getText()).as("unchanged").isEqualTo(bad);
        assertThat(rejected.getStringProperty("mailrouteRejectReason"))
                .startsWith("to[0]: 'broken@' is not a valid address");
        assertThat(rejected.getStringProperty("application")).isEqualTo("billing");
        // and it is not offered again: it left mail.submit in the same transaction
        assertThat(gateway.broker().messageCount("mail.submit")).isZero();
    }

    /** Reading an ObjectMessage's body is Java deserialization of whatever the client sent: never done. */
    @Test
    void anObjectMessageIsRefusedWithoutBeingRead() throws Exception {
        try (Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            Message object = session.createObjectMessage(MailRequests.json(MailRequests.minimal()));
            object.setStringProperty("application", "legacy");
            session.createProducer(session.createQueue("mail.submit")).send(object);
        }
        Message rejected = awaitRejected();
        assertThat(rejected.getStringProperty("mailrouteRejectReason")).startsWith("$: is a JMS ObjectMessage;")
                .contains("never reads Java objects");
        assertThat(rejected.getStringProperty("application")).isEqualTo("legacy");
        assertThat(gateway.delivered("pickup")).as("nothing delivered for it").isZero();
    }

    /**
     * An ObjectMessage whose object has classes in it (most have) goes to mail.rejected at the first
     * attempt with its reason, like any refused submission — not rolled back, offered again and
     * dead-lettered without a reason because something read its body before the check. The spy's
     * readObject never runs: mailroute does not deserialize it, not even to fail.
     */
    @Test
    void anObjectMessageWithClassesInItIsRefusedOnceAndNeverDeserialized() throws Exception {
        List<Serializable> objects = List.of(new ArrayList<>(List.of("app@example.com")),
                new HashMap<>(Map.of("from", "app@example.com")), new ReadObjectSpy());
        try (LogCapture events = LogCapture.of("mailroute.events")) {
            for (Serializable object : objects) {
                try (Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
                    Message message = session.createObjectMessage(object);
                    message.setStringProperty("application", object.getClass().getSimpleName());
                    session.createProducer(session.createQueue("mail.submit")).send(message);
                }
                Message rejected = awaitRejected();
                assertThat(rejected.getStringProperty("application")).isEqualTo(object.getClass().getSimpleName());
                assertThat(rejected.getStringProperty("mailrouteRejectReason")).as(object.getClass().getName())
                        .startsWith("$: is a JMS ObjectMessage;");
                assertThat(rejected).isInstanceOf(TextMessage.class);
                assertThat(((TextMessage) rejected).getText()).contains("was not read");
                // it left mail.submit with that one move, and nothing else of it is anywhere
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> gateway.broker().messageCount("mail.submit") == 0);
                assertThat(gateway.broker().messageCount("mail.rejected")).isZero();
            }
            assertThat(events.lines().stream().filter(line -> line.contains("is a JMS ObjectMessage")))
                    .as("one rejection each, at the first attempt").hasSize(objects.size());
        }
        assertThat(ReadObjectSpy.DESERIALIZED).as("readObject of a submitted object ran").isFalse();

        try (Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            session.createProducer(session.createQueue("mail.submit")).send(session.createTextMessage(
                    MailRequests.json(MailRequests.minimal().put("subject", "after the objects"))));
        }
        awaitPickupWith("Subject: after the objects");
    }

    /** A class on the gateway's class path that says whether Java deserialization ever ran on it. */
    static final class ReadObjectSpy implements Serializable {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean DESERIALIZED = new AtomicBoolean();

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            DESERIALIZED.set(true);
            in.defaultReadObject();
        }
    }

    @Test
    void anEmptyBytesMessageIsSaidToBeEmpty() throws Exception {
        try (Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            session.createProducer(session.createQueue("mail.submit")).send(session.createBytesMessage());
        }
        assertThat(awaitRejected().getStringProperty("mailrouteRejectReason")).startsWith("$: is empty")
                .endsWith("send a JSON mail request or an RFC 5322 message");
    }

    @Test
    void aSubmitterMayOnlySendToMailSubmit() throws Exception {
        try (Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            for (String queue : new String[] {"mail.outbound", "mail.failed", "mail.rejected", "mail.submit"}) {
                assertThatThrownBy(() -> session.createConsumer(session.createQueue(queue)))
                        .as("consume %s", queue).isInstanceOf(JMSSecurityException.class);
                assertThatThrownBy(() -> session.createBrowser(session.createQueue(queue)).getEnumeration())
                        .as("browse %s", queue).isInstanceOf(JMSSecurityException.class);
            }
            assertThatThrownBy(() -> session.createProducer(session.createQueue("mail.outbound"))
                    .send(session.createTextMessage("forged"))).isInstanceOf(JMSSecurityException.class);
        }
        assertThat(gateway.broker().messageCount("mail.outbound")).isZero();
    }

    @Test
    void aClientWithoutCredentialsOrWithWrongOnesIsRefused() {
        String url = gateway.brokerUrl();
        assertThatThrownBy(() -> new ActiveMQConnectionFactory(url).createConnection().close())
                .isInstanceOf(JMSSecurityException.class);
        assertThatThrownBy(() -> new ActiveMQConnectionFactory(url, "submitter", "guess").createConnection().close())
                .isInstanceOf(JMSSecurityException.class);
        assertThatThrownBy(() -> new ActiveMQConnectionFactory(url, "mailroute", "guess").createConnection().close())
                .isInstanceOf(JMSSecurityException.class);
    }

    private static Message awaitRejected() throws Exception {
        try (Session session = operator.createSession(false, Session.AUTO_ACKNOWLEDGE);
             MessageConsumer consumer = session.createConsumer(session.createQueue("mail.rejected"))) {
            Message rejected = consumer.receive(20_000);
            assertThat(rejected).as("a message on mail.rejected").isNotNull();
            return rejected;
        }
    }

    private static Path awaitPickupWith(String text) {
        Path[] found = new Path[1];
        await().until(() -> {
            for (Path file : gateway.files("pickup")) {
                if (Files.readString(file).contains(text)) {
                    found[0] = file;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }
}
