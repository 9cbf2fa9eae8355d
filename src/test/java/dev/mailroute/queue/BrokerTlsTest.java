package dev.mailroute.queue;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import javax.net.ssl.SSLSocket;

import dev.mailroute.support.GatewayConfig;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.TestCertificate;
import dev.mailroute.support.TestGateway;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The embedded broker's JMS port with TLS from PEM files (mailroute.broker.tls.cert / .key). */
class BrokerTlsTest {

    @TempDir
    Path data;

    @TempDir
    Path pem;

    @Test
    void jmsClientsSubmitOverTlsAndPlainTcpIsRefused() throws Exception {
        TestCertificate certificate = TestCertificate.make(pem);
        Path cert = certificate.cert();
        Path key = certificate.key();

        GatewayConfig config = TestGateway.on(data).with("mailroute.broker.tls.cert", cert.toString())
                .with("mailroute.broker.tls.key", key.toString());
        try (TestGateway gateway = config.start()) {
            String port = config.get("mailroute.broker.port");
            ActiveMQConnectionFactory tls = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + port
                    + "?sslEnabled=true;trustStoreType=PEM;trustStorePath=" + cert, "submitter", GatewayConfig.SUBMIT_PASSWORD);
            try (tls; Connection connection = tls.createConnection();
                 Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
                session.createProducer(session.createQueue("mail.submit"))
                        .send(session.createTextMessage(MailRequests.json(MailRequests.minimal())));
            }
            gateway.awaitFiles("pickup", 1);

            ActiveMQConnectionFactory plain = gateway.submitter();
            plain.setReconnectAttempts(0);
            plain.setInitialConnectAttempts(1);
            plain.setCallTimeout(2000);
            assertThatThrownBy(() -> plain.createConnection().close()).isInstanceOf(JMSException.class);
        }
    }

    /**
     * mailroute.broker.handshakeTimeout holds on the TLS port too: no TLS handshake, a TLS handshake
     * and then nothing, or junk inside TLS — each is closed; a JMS client over TLS still connects.
     */
    @Test
    void connectionsThatDoNotLogInOverTlsAreClosed() throws Exception {
        TestCertificate certificate = TestCertificate.make(pem);
        GatewayConfig config = TestGateway.on(data).with("mailroute.broker.tls.cert", certificate.cert().toString())
                .with("mailroute.broker.tls.key", certificate.key().toString())
                .with("mailroute.broker.handshakeTimeout", "2s");
        try (TestGateway gateway = config.start()) {
            int port = Integer.parseInt(config.get("mailroute.broker.port"));
            try (Socket noHandshake = new Socket("127.0.0.1", port)) {
                BrokerHandshakeTimeoutTest.assertClosedByTheBroker(noHandshake);
            }
            try (SSLSocket silent = (SSLSocket) certificate.trustingSockets().createSocket("127.0.0.1", port)) {
                silent.startHandshake();
                BrokerHandshakeTimeoutTest.assertClosedByTheBroker(silent);
            }
            try (SSLSocket junk = (SSLSocket) certificate.trustingSockets().createSocket("127.0.0.1", port)) {
                junk.startHandshake();
                junk.getOutputStream().write("GARBAGE GARBAGE GARBAGE\r\n".getBytes(StandardCharsets.US_ASCII));
                junk.getOutputStream().flush();
                BrokerHandshakeTimeoutTest.assertClosedByTheBroker(junk);
            }
            ActiveMQConnectionFactory tls = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + port
                    + "?sslEnabled=true;trustStoreType=PEM;trustStorePath=" + certificate.cert(), "submitter",
                    GatewayConfig.SUBMIT_PASSWORD);
            try (tls; Connection connection = tls.createConnection()) {
                connection.start();
            }
        }
    }
}
