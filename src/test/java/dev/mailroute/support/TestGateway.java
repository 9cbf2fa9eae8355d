package dev.mailroute.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.Gateway;
import dev.mailroute.queue.EmbeddedBroker;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real gateway (config/application.properties and routes/*.yaml of this project), started
 * in-process from a {@link GatewayConfig}, and what tests do with it: submit over HTTP, drop
 * files, look at folders, the broker and the metrics.
 */
public final class TestGateway implements AutoCloseable {

    private static final java.util.Random RANDOM = new java.util.Random();
    /**
     * The suite runs in parallel forks (pom.xml, surefire's forkCount); each draws its ports from a
     * slice of its own, so no fork hands out a port another fork has handed out and not yet bound.
     */
    private static final int FORKS = Integer.getInteger("mailroute.test.forks", 1);
    private static final int PORTS_PER_FORK = 12_000 / FORKS;
    private static final int PORTS_FROM = 20_000
            + PORTS_PER_FORK * (Math.floorMod(Integer.getInteger("mailroute.test.fork", 1) - 1, FORKS));
    /** Every port handed out in this test run: a test asks for several before anything binds them. */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final GatewayConfig config;
    private final Gateway gateway;

    private TestGateway(GatewayConfig config) {
        this.config = config.copy();
        this.gateway = config.build();
    }

    public static GatewayConfig on(Path dataDir) {
        return GatewayConfig.on(dataDir);
    }

    static TestGateway start(GatewayConfig config) {
        TestGateway running = new TestGateway(config);
        try {
            running.gateway.start();
        } catch (RuntimeException e) {
            running.close();
            throw e;
        }
        return running;
    }

    /** The same configuration again, e.g. to start this gateway anew on its data after {@link #close()}. */
    public GatewayConfig again() {
        return config.copy();
    }

    /** Where the SMTP listener listens (on 127.0.0.1 unless the test said otherwise). */
    public int smtpdPort() {
        return config.smtpdPort();
    }

    public URI http(String path) {
        return URI.create("http://127.0.0.1:" + config.get("mailroute.http.port") + path);
    }

    public String brokerUrl() {
        return "tcp://127.0.0.1:" + config.get("mailroute.broker.port");
    }

    /** mailroute's own JMS access to its embedded broker (in-VM, its internal account): what an operator's tools see. */
    public ActiveMQConnectionFactory internal() {
        return new ActiveMQConnectionFactory(broker().inVmUrl(), EmbeddedBroker.INTERNAL_USER,
                broker().internalPassword().reveal());
    }

    /** A JMS client of this gateway's embedded broker, logged in as a submitter (may only send to mail.submit). */
    public ActiveMQConnectionFactory submitter() {
        return config.submitter();
    }

    public EmbeddedBroker broker() {
        return context().getRegistry().findSingleByType(EmbeddedBroker.class);
    }

    public CamelContext context() {
        return gateway.context();
    }

    public Path folder(String name) {
        return config.dataDir().resolve(name);
    }

    /** POST /api/v1/messages, expecting 202; the id it answered. */
    public String submit(ObjectNode request, String... headers) {
        Http.Answer answer = Http.post(http("/api/v1/messages"), "application/json", MailRequests.json(request),
                headers);
        assertThat(answer.status()).as(answer.body()).isEqualTo(202);
        return answer.json().get("id").asText();
    }

    /** Waits until mail.outbound holds nothing: every delivery attempt so far is committed. */
    public void awaitQueueEmpty() {
        await().atMost(Duration.ofSeconds(30)).until(() -> broker().messageCount("mail.outbound") == 0);
    }

    /** The value of the first sample on /observe/metrics whose name and labels match (a regex), or -1. */
    public double metric(String sample) {
        return Metrics.value(http("/observe/metrics"), sample, config.apiKey());
    }

    /** Messages this gateway delivered by that transport so far, counted by its own delivery events. */
    public long delivered(String transport) {
        return (long) Math.max(0, metric(Metrics.delivered(transport)));
    }
    /** Pickup files (pickup transport) whose message has this subject: a message delivered twice counts twice. */
    public long pickupFilesWithSubject(String subject) {
        String header = "Subject: " + subject + "\r\n";
        return files("pickup").stream().filter(f -> {
            try {
                return Files.readString(f).contains(header);
            } catch (IOException e) {
                return false; // renamed away or half-read: not this message's file
            }
        }).count();
    }

    /** Drops a file into the inbox the way a careful writer does: write elsewhere, then rename in. */
    public void drop(String name, byte[] content) {
        try {
            Path inbox = folder("inbox");
            Path temporary = inbox.resolve("." + name + ".tmp");
            Files.write(temporary, content);
            Files.move(temporary, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void drop(String name, String content) {
        drop(name, content.getBytes(StandardCharsets.UTF_8));
    }

    public List<Path> files(String folder) {
        try (Stream<Path> files = Files.list(folder(folder))) {
            return files.filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<Path> awaitFiles(String folder, int count) {
        await().atMost(Duration.ofSeconds(20)).until(() -> files(folder).size() >= count);
        return files(folder);
    }

    /** No file left in the inbox (names starting with a dot, such as the folder's lock, do not count). */
    public void awaitInboxEmpty() {
        await().atMost(Duration.ofSeconds(20)).until(() -> files("inbox").isEmpty());
    }

    @Override
    public void close() {
        gateway.close();
    }

    /**
     * A port nothing listens on, below the range the system hands out for outgoing connections
     * (32768 and up on Linux): a port from that range can be taken by some connection's local
     * end between this check and the moment the gateway binds it. Never the same port twice in
     * one run: a gateway's configuration asks for three before it binds any, and two draws of the
     * same one made a start fail with "Address already in use" (one CI run in about fifteen).
     */
    public static int freePort() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = PORTS_FROM + RANDOM.nextInt(PORTS_PER_FORK);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new java.net.InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port between " + PORTS_FROM + " and " + (PORTS_FROM + PORTS_PER_FORK));
    }
}
