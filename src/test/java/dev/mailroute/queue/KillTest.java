package dev.mailroute.queue;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mailroute.support.GatewayConfig;
import dev.mailroute.support.GatewayProcess;
import dev.mailroute.support.Http;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.Mailboxes;
import dev.mailroute.support.Metrics;
import dev.mailroute.support.SmtpClient;
import dev.mailroute.support.TestGateway;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.mail.internet.MimeMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Accepted means durable: the gateway's JVM is killed hard (SIGKILL) at the moments where a
 * message changes hands — right after a 202, while inbox files are being accepted, while
 * mail.submit is being moved to mail.outbound — and started again on the same data.
 */
class KillTest {

    private static final int MESSAGES = 20;

    @TempDir
    Path data;

    /** While the relay was unreachable; started again with the relay up, every accepted id arrives exactly once. */
    @Test
    void everyMessageOfABatchIsDeliveredExactlyOnceAfterKillMinus9() throws Exception {
        int relayPort = TestGateway.freePort();
        GatewayConfig config = TestGateway.on(data).smtp(relayPort).with("mailroute.smtp.timeout", "2s");

        Set<String> accepted = new HashSet<>();
        try (GatewayProcess gateway = GatewayProcess.start(config)) {
            gateway.awaitStarted();
            List<String> items = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                items.add(MailRequests.json(MailRequests.minimal().put("subject", "kill test " + i)));
            }
            Http.Answer answer = Http.post(gateway.http("/api/v1/messages/batch"), "application/json",
                    "[" + String.join(",", items) + "]");
            gateway.kill();
            assertThat(answer.status()).isEqualTo(200);
            for (JsonNode result : answer.json().get("results")) {
                assertThat(result.get("status").asText()).isEqualTo("queued");
                accepted.add(result.get("id").asText());
            }
        }
        assertThat(accepted).hasSize(MESSAGES);
        assertEachDeliveredOnceAfterARestart(config, relayPort, accepted);
    }

    /**
     * The SMTP listener's "250 queued as": twenty messages over one session, killed the moment the
     * last 250 arrived, with the relay unreachable. After the restart each acknowledged id arrives
     * exactly once (the listener added each message's Message-ID from its id).
     */
    @Test
    void everyMessageTheSmtpListenerAcknowledgedIsDeliveredExactlyOnceAfterKillMinus9() throws Exception {
        int relayPort = TestGateway.freePort();
        GatewayConfig config = TestGateway.on(data).smtp(relayPort).with("mailroute.smtp.timeout", "2s");
        Set<String> acknowledged = new HashSet<>();
        try (GatewayProcess gateway = GatewayProcess.start(config)) {
            gateway.awaitStarted();
            try (SmtpClient client = SmtpClient.connect("127.0.0.1", config.smtpdPort())) {
                client.greeting();
                client.command("EHLO client.example.com");
                for (int i = 0; i < MESSAGES; i++) {
                    client.send("MAIL FROM:<app@example.com>\r\nRCPT TO:<ops@example.com>\r\nDATA\r\n");
                    assertThat(client.reply()).startsWith("250");
                    assertThat(client.reply()).startsWith("250");
                    assertThat(client.reply()).startsWith("354");
                    String reply = client.command("Subject: smtp kill " + i + "\r\n\r\nbody " + i + "\r\n.");
                    assertThat(reply).startsWith("250 2.0.0 Ok: queued as ");
                    acknowledged.add(reply.substring("250 2.0.0 Ok: queued as ".length()).trim());
                }
                gateway.kill();
            }
        }
        assertThat(acknowledged).hasSize(MESSAGES);
        assertEachDeliveredOnceAfterARestart(config, relayPort, acknowledged);
    }

    /**
     * Started again with the relay up: each id arrives exactly once (a message's Message-ID is
     * {@code <id@domain>}, made by mailroute).
     */
    private static void assertEachDeliveredOnceAfterARestart(GatewayConfig config, int relayPort, Set<String> ids)
            throws Exception {
        GreenMail relay = new GreenMail(new ServerSetup(relayPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        relay.start();
        try (GatewayProcess gateway = GatewayProcess.start(config.onNewPorts())) {
            gateway.awaitStarted();
            await().atMost(Duration.ofSeconds(60)).until(() -> relay.getReceivedMessages().length >= ids.size());
            awaitQueueEmpty(gateway);
            List<String> delivered = new ArrayList<>();
            for (MimeMessage message : Mailboxes.of(relay, "ops@example.com")) {
                String messageId = message.getMessageID();
                delivered.add(messageId.substring(1, messageId.indexOf('@')));
            }
            assertThat(delivered).hasSize(ids.size()).containsExactlyInAnyOrderElementsOf(ids);
        } finally {
            relay.stop();
        }
    }

    /** One message, killed the moment its 202 arrived: it is delivered once after the restart. */
    @Test
    void aSingleAcceptedMessageSurvivesAKillRightAfterIts202() throws Exception {
        GatewayConfig config = TestGateway.on(data).with("mailroute.transport", "pickup");
        // delivery stopped until the restart: the only copy is the one in the journal
        config.with("mailroute.throttle.rate", "1").with("mailroute.throttle.period", "1h");
        String id;
        try (GatewayProcess gateway = GatewayProcess.start(config)) {
            gateway.awaitStarted();
            // the throttle lets the first message through: use it up with one that is not counted
            Http.post(gateway.http("/api/v1/messages"), "application/json", MailRequests.json(MailRequests.minimal()));
            await().until(() -> pickupFiles().size() == 1);
            Files.delete(pickupFiles().get(0));
            Http.Answer answer = Http.post(gateway.http("/api/v1/messages"), "application/json",
                    MailRequests.json(MailRequests.minimal().put("subject", "the one")));
            gateway.kill();
            assertThat(answer.status()).isEqualTo(202);
            id = answer.json().get("id").asText();
        }
        assertThat(pickupFiles()).as("not delivered before the kill").isEmpty();

        try (GatewayProcess gateway = GatewayProcess.start(config.onNewPorts().with("mailroute.throttle.rate", "100000")
                .with("mailroute.throttle.period", "1s"))) {
            gateway.awaitStarted();
            awaitQueueEmpty(gateway);
            assertThat(pickupFiles()).extracting(p -> p.getFileName().toString()).containsExactly(id + ".eml");
        }
    }

    /**
     * Files dropped into the inbox, killed while they are being accepted: after the restart every
     * one is delivered — each file is deleted only after its message is in the journal, so a file
     * is either still in the inbox or already queued. (A kill between the two sends that file's
     * message again; the JSON id of each file makes the pickup file the same one.)
     */
    @Test
    void noInboxFileIsLostWhenKilledWhileAccepting() throws Exception {
        GatewayConfig config = TestGateway.on(data).with("mailroute.transport", "pickup");
        int files = 1000;
        try (GatewayProcess gateway = GatewayProcess.start(config)) {
            gateway.awaitStarted();
            Path inbox = data.resolve("inbox");
            for (int i = 0; i < files; i++) {
                Path part = inbox.resolve(".m" + i + ".tmp");
                Files.writeString(part, MailRequests.json(MailRequests.minimal().put("id", "file-" + i)));
                Files.move(part, inbox.resolve("m" + i + ".json"));
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                    .until(() -> inboxFiles() < files);
            gateway.kill();
        }
        assertThat(inboxFiles()).as("killed before the inbox was empty").isGreaterThan(0);

        try (GatewayProcess gateway = GatewayProcess.start(config.onNewPorts())) {
            gateway.awaitStarted();
            await().atMost(Duration.ofSeconds(60)).until(() -> inboxFiles() == 0);
            awaitQueueEmpty(gateway);
            assertThat(pickupFiles()).hasSize(files);
            assertThat(data.resolve("rejected")).isEmptyDirectory();
        }
    }

    /**
     * The files of one inbox poll are queued in one transaction and deleted after its commit: killed
     * at the first of those deletes, the rest of that poll's files are still in the inbox with their
     * messages queued. After the restart each of those is recognised by its file's identity (the
     * broker's duplicate id) and deleted, not queued again: every file arrives exactly once. Plain
     * .eml files, so nothing else (no client id) could make a second copy collapse into the first.
     */
    @Test
    void noInboxFileIsQueuedTwiceWhenKilledBetweenItsPollsCommitAndItsDelete() throws Exception {
        GatewayConfig config = TestGateway.on(data).with("mailroute.transport", "pickup")
                .with("mailroute.inbox.filesPerTransaction", "100");
        int files = 300;
        Path inbox = data.resolve("inbox");
        Files.createDirectories(inbox);
        for (int i = 0; i < files; i++) {
            Path part = inbox.resolve(".m" + i + ".tmp");
            Files.writeString(part, "X-Sender: app@example.com\r\nX-Receiver: ops@example.com\r\nFrom: app@example.com"
                                    + "\r\nTo: ops@example.com\r\nSubject: inbox kill " + i + "\r\n\r\nbody\r\n");
            Files.move(part, inbox.resolve("m" + i + ".eml"));
        }
        try (WatchService watch = inbox.getFileSystem().newWatchService()) {
            inbox.register(watch, StandardWatchEventKinds.ENTRY_DELETE);
            try (GatewayProcess gateway = GatewayProcess.start(config)) {
                // the first delete of a mail file (the start's own probe of the folder is not one): the
                // first poll's transaction has committed, its other deletes follow
                awaitMailFileDeleted(watch);
                gateway.kill();
            }
        }
        long left = inboxFiles("*.eml");
        assertThat(left).as("killed while the first poll's files were being deleted").isBetween(files - 99L, files - 1L);

        try (GatewayProcess gateway = GatewayProcess.start(config.onNewPorts())) {
            gateway.awaitStarted();
            await().atMost(Duration.ofSeconds(60)).until(() -> inboxFiles("*.eml") == 0);
            awaitQueueEmpty(gateway);
            List<String> subjects = new ArrayList<>();
            for (Path file : pickupFiles()) {
                String text = Files.readString(file);
                int at = text.indexOf("Subject: ");
                subjects.add(text.substring(at, text.indexOf('\r', at)));
            }
            assertThat(subjects).hasSize(files).doesNotHaveDuplicates();
            assertThat(gateway.output()).contains("was queued before a restart and is deleted now, not queued again");
            assertThat(data.resolve("rejected")).isEmptyDirectory();
        }
    }

    /**
     * JMS submissions, killed while mail.submit is being moved to mail.outbound: each moves in one
     * transaction, so after the restart each is accepted exactly once (a second acceptance would
     * get a new id and a pickup file of its own).
     */
    @Test
    void everyJmsSubmissionIsAcceptedExactlyOnceWhenKilledWhileMoving() throws Exception {
        GatewayConfig config = TestGateway.on(data).with("mailroute.transport", "pickup");
        int messages = 1000;
        try (GatewayProcess gateway = GatewayProcess.start(config)) {
            gateway.awaitStarted();
            try (ActiveMQConnectionFactory factory = config.submitter();
                 Connection connection = factory.createConnection();
                 Session session = connection.createSession(true, Session.SESSION_TRANSACTED)) {
                MessageProducer producer = session.createProducer(session.createQueue("mail.submit"));
                for (int i = 0; i < messages; i++) {
                    producer.send(session.createTextMessage(MailRequests.json(MailRequests.minimal()
                            .put("subject", "jms " + i))));
                }
                session.commit();
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                    .until(() -> pickupFiles().size() > 0);
            gateway.kill();
        }
        assertThat(pickupFiles().size()).as("killed before all were moved").isLessThan(messages);

        try (GatewayProcess gateway = GatewayProcess.start(config.onNewPorts())) {
            gateway.awaitStarted();
            await().atMost(Duration.ofSeconds(60)).until(() -> pickupFiles().size() >= messages);
            awaitQueueEmpty(gateway);
            await().until(() -> gateway.metric("mailroute_queue_depth\\{queue=\"mail.submit\"}") == 0);
            assertThat(pickupFiles()).hasSize(messages);
        }
    }

    private static void awaitMailFileDeleted(WatchService watch) throws InterruptedException {
        while (true) {
            WatchKey key = watch.poll(60, TimeUnit.SECONDS);
            assertThat(key).as("an inbox mail file deleted").isNotNull();
            for (WatchEvent<?> event : key.pollEvents()) {
                if (event.context() instanceof Path name && name.toString().endsWith(".eml")) {
                    return;
                }
            }
            key.reset();
        }
    }

    private static void awaitQueueEmpty(GatewayProcess gateway) {
        await().atMost(Duration.ofSeconds(60)).until(() -> gateway.metric(Metrics.OUTBOUND_DEPTH) == 0);
    }

    private List<Path> pickupFiles() throws Exception {
        Path pickup = data.resolve("pickup");
        if (!Files.isDirectory(pickup)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(pickup)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".eml")
                                     && !f.getFileName().toString().startsWith(".")).toList();
        }
    }

    private long inboxFiles() throws Exception {
        return inboxFiles("*.json");
    }

    private long inboxFiles(String glob) throws Exception {
        long count = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(data.resolve("inbox"), glob)) {
            for (Path ignored : files) {
                count++;
            }
        }
        return count;
    }
}
