package dev.mailroute.delivery.smtp;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailroute.message.QueuedMessage;
import dev.mailroute.settings.Secret;
import dev.mailroute.support.ScriptedSmtpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The pool of relay sessions behind the SMTP transport, against real servers. */
class SmtpMailSenderPoolTest {

    private ScriptedSmtpServer relay;
    private SmtpMailSender sender;

    @AfterEach
    void stop() {
        if (sender != null) {
            sender.stop();
        }
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void reusesOneSessionForManyMessages() throws Exception {
        relay = ScriptedSmtpServer.start();
        sender = sender(plain(relay.port()), 100, 30_000);
        for (int i = 0; i < 10; i++) {
            sender.send(message(i));
        }
        assertThat(relay.transactions()).hasSize(10);
        assertThat(relay.connections()).isEqualTo(1);
    }

    @Test
    void retiresASessionAfterItsMessageCap() throws Exception {
        relay = ScriptedSmtpServer.start();
        sender = sender(plain(relay.port()), 3, 30_000);
        for (int i = 0; i < 7; i++) {
            sender.send(message(i));
        }
        assertThat(relay.transactions()).hasSize(7);
        assertThat(relay.connections()).isEqualTo(3);
    }

    @Test
    void reconnectsTransparentlyWhenTheRelayDroppedAnIdleSession() throws Exception {
        relay = ScriptedSmtpServer.start();
        sender = sender(plain(relay.port()), 100, 30_000);
        sender.send(message(1));
        relay.dropConnections();
        sender.send(message(2));
        sender.send(message(3));
        assertThat(relay.transactions()).hasSize(3);
        assertThat(relay.connections()).isEqualTo(2);
    }

    @Test
    void idleSessionsAreClosed() throws Exception {
        relay = ScriptedSmtpServer.start();
        sender = sender(plain(relay.port()), 100, 500);
        sender.send(message(1));
        // whenever the evictor runs (every second), a session idle for 500 ms is gone — closed, not
        // only off the idle list: while its QUIT is under way it still takes the pool's one place
        await().atMost(Duration.ofSeconds(10)).until(() -> sender.connectionsIdle() == 0
                                                           && sender.connectionsOpen() == 0);
        sender.send(message(2));
        assertThat(relay.connections()).isEqualTo(2);
    }

    @Test
    void startTlsAndAuthArePaidOncePerSession() throws Exception {
        relay = ScriptedSmtpServer.start().offerStartTls().advertiseAuth(true);
        sender = sender(new SmtpSettings("127.0.0.1", relay.port(), "alerts", Secret.of("s3cret"),
                SmtpSettings.Security.STARTTLS_REQUIRED, 5000, "*", SmtpSettings.Auth.PASSWORD), 100, 30_000);
        for (int i = 0; i < 5; i++) {
            sender.send(message(i));
        }
        assertThat(relay.transactions()).hasSize(5).allMatch(t -> t.tls() && t.authenticated());
        assertThat(relay.connections()).isEqualTo(1);
        assertThat(relay.authentications()).isEqualTo(1);
    }

    @Test
    void implicitTlsAndAuthWithGreenMail() throws Exception {
        GreenMail greenMail = new GreenMail(ServerSetupTest.SMTPS.dynamicPort());
        greenMail.setUser("alerts@example.com", "alerts", "s3cret");
        greenMail.start();
        try {
            sender = sender(new SmtpSettings("127.0.0.1", greenMail.getSmtps().getPort(), "alerts", Secret.of("s3cret"),
                    SmtpSettings.Security.TLS, 5000, "*", SmtpSettings.Auth.PASSWORD), 100, 30_000);
            for (int i = 0; i < 3; i++) {
                sender.send(message(i));
            }
            assertThat(greenMail.getReceivedMessages()).hasSize(3);
            assertThat(sender.connectionsOpened()).isEqualTo(1);
        } finally {
            // our pooled session says QUIT first: GreenMail's stop otherwise waits for the open
            // TLS session's read to time out (its 30 s client socket timeout; 30 s of CI time)
            sender.stop();
            sender = null;
            greenMail.stop();
        }
    }

    private static SmtpSettings plain(int port) {
        return new SmtpSettings("127.0.0.1", port, null, null, SmtpSettings.Security.NONE, 5000, null,
                SmtpSettings.Auth.NONE);
    }

    private static SmtpMailSender sender(SmtpSettings settings, int maxMessages, long idleMillis) {
        SmtpMailSender sender = new SmtpMailSender(settings, new RelayCredentials.Password(settings.password()),
                new PoolSettings(1, maxMessages, idleMillis));
        sender.start();
        return sender;
    }

    private static QueuedMessage message(int n) throws Exception {
        byte[] mime = ("From: alerts@example.com\r\nTo: ops@example.com\r\nSubject: pooled " + n
                       + "\r\nMessage-ID: <m" + n + "@example.com>\r\n\r\nbody " + n + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        return QueuedMessage.fromQueue(mime, UUID.nameUUIDFromBytes(new byte[] {(byte) n}).toString(),
                "alerts@example.com", "ops@example.com");
    }
}
