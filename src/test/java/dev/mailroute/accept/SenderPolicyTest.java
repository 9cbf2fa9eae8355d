package dev.mailroute.accept;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.mailroute.support.MailRequests;
import dev.mailroute.support.TestGateway;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/** mailroute.senders.allowed: the patterns, and the policy holding at the inbox and on JMS (HTTP: HttpHostileInputTest). */
class SenderPolicyTest {

    @TempDir
    Path data;

    @Test
    void patternsMatchWholeAddressesCaseInsensitively() throws Exception {
        SenderPolicy policy = new SenderPolicy(List.of("*@example.com", "alerts@example.org"));
        policy.check(List.of(new SenderPolicy.Sender("from", "Ops@Example.COM")), null);
        policy.check(List.of(new SenderPolicy.Sender("from", "alerts@example.org")), null);
        for (String refused : List.of("ops@example.com.evil.example", "ops@sub.example.org", "x@example.community",
                "other@example.org")) {
            SenderRefusedException e = catchThrowableOfType(SenderRefusedException.class,
                    () -> policy.check(List.of(new SenderPolicy.Sender("from", refused)), null));
            assertThat(e).as(refused).isNotNull();
            assertThat(e.problems().get(0).reason()).contains("'" + refused + "'").contains("mailroute.senders.allowed");
        }
        new SenderPolicy(List.of()).check(List.of(new SenderPolicy.Sender("from", "anyone@anywhere.example")), null);
    }

    @Test
    void theSubmittersOwnPatternsNarrowTheGatewaysPolicy() {
        SenderPolicy policy = new SenderPolicy(List.of("*@example.com"));
        SenderRefusedException e = catchThrowableOfType(SenderRefusedException.class, () -> policy.check(
                List.of(new SenderPolicy.Sender("From", "ops@example.com")), List.of("billing@example.com")));
        assertThat(e.problems().get(0).reason()).contains("may not be used with these credentials");
    }

    @Test
    void theInboxAndJmsRefuseASenderThePolicyDoesNotAllow() throws Exception {
        try (TestGateway gateway = TestGateway.on(data).with("mailroute.senders.allowed", "*@example.com").start();
             Connection submitter = gateway.submitter().createConnection();
             Connection operator = gateway.internal().createConnection()) {
            gateway.drop("ceo.json", MailRequests.json(MailRequests.minimal().put("from", "ceo@evil.example")));
            Path reason = gateway.folder("rejected").resolve("ceo.json.error.txt");
            await().until(() -> Files.exists(reason));
            assertThat(Files.readString(reason)).contains("from: 'ceo@evil.example' may not send through mailroute");

            try (Session session = submitter.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
                session.createProducer(session.createQueue("mail.submit")).send(session.createTextMessage(
                        "X-Sender: ceo@evil.example\r\nX-Receiver: b@example.com\r\nFrom: ops@example.com\r\n\r\nx\r\n"));
            }
            operator.start();
            try (Session session = operator.createSession(false, Session.AUTO_ACKNOWLEDGE);
                 MessageConsumer rejected = session.createConsumer(session.createQueue("mail.rejected"))) {
                Message message = rejected.receive(20_000);
                assertThat(message.getStringProperty("mailrouteRejectReason"))
                        .startsWith("X-Sender: 'ceo@evil.example' may not send through mailroute");
            }
            gateway.awaitQueueEmpty();
            assertThat(gateway.files("pickup")).isEmpty();
        }
    }
}
