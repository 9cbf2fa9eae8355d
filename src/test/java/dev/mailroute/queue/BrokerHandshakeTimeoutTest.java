package dev.mailroute.queue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.mailroute.support.MailRequests;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.TestGateway;
import jakarta.jms.Connection;
import jakarta.jms.Session;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * mailroute.broker.handshakeTimeout: a connection to the embedded broker's JMS port that has not
 * logged in by then is closed — whether it sends nothing, a few bytes of junk, or junk without end.
 * A client that logged in stays connected.
 */
class BrokerHandshakeTimeoutTest {

    /** What the test sets: short, so that a close before the bound below is this setting's doing. */
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    /**
     * How long a test waits for the broker to close: generous for a loaded machine, yet shorter than
     * what held such connections before (Artemis' own 10 s before the first bytes, a minute or
     * forever after them).
     */
    private static final Duration CLOSED_WITHIN = Duration.ofSeconds(8);

    private static TestGateway gateway;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        var config = TestGateway.on(Scratch.folder("mailroute-handshake"))
                .with("mailroute.broker.handshakeTimeout", TIMEOUT.toSeconds() + "s");
        gateway = config.start();
        port = Integer.parseInt(config.get("mailroute.broker.port"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void aConnectionThatSaysNothingIsClosed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            assertClosedByTheBroker(socket);
        }
    }

    /** Eight bytes or more make Artemis pick a protocol and stop its own handshake timer. */
    @Test
    void aConnectionThatSendsJunkAndWaitsIsClosed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write("GARBAGE GARBAGE GARBAGE\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            assertClosedByTheBroker(socket);
        }
    }

    /** Bytes that keep coming keep a connection alive as far as Artemis' connection TTL goes: not past the timeout. */
    @Test
    void aConnectionThatKeepsSendingJunkIsClosed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            Thread trickle = new Thread(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    while (!Thread.currentThread().isInterrupted()) {
                        out.write("GARBAGE!".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        Thread.sleep(200);
                    }
                } catch (IOException | InterruptedException e) {
                    // closed: what the test waits for
                }
            }, "junk-trickle");
            trickle.setDaemon(true);
            trickle.start();
            try {
                assertClosedByTheBroker(socket);
            } finally {
                trickle.interrupt();
            }
        }
    }

    /** A submitter connected before a junk connection keeps working after the broker closed that one. */
    @Test
    void aClientThatLoggedInStaysConnected() throws Exception {
        try (Connection connection = gateway.submitter().createConnection();
             Socket junk = new Socket("127.0.0.1", port)) {
            connection.start();
            junk.getOutputStream().write("GARBAGE GARBAGE\r\n".getBytes(StandardCharsets.US_ASCII));
            assertClosedByTheBroker(junk);
            try (Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
                session.createProducer(session.createQueue("mail.submit")).send(session.createTextMessage(
                        MailRequests.json(MailRequests.minimal().put("subject", "logged in in time"))));
            }
            gateway.awaitFiles("pickup", 1);
        }
    }

    /** Reads until the broker closes the connection (end of stream or a reset), within {@link #CLOSED_WITHIN}. */
    static void assertClosedByTheBroker(Socket socket) throws IOException {
        socket.setSoTimeout((int) CLOSED_WITHIN.toMillis());
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        long start = System.nanoTime();
        try {
            while (in.read(buffer) >= 0) {
                // whatever the broker answered before closing
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(CLOSED_WITHIN);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the broker kept a connection that did not log in open for " + CLOSED_WITHIN, e);
        } catch (IOException reset) {
            // a reset is a close as well
        }
    }
}
