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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.mailroute.Gateway;
import dev.mailroute.config.MailrouteConfiguration;
import dev.mailroute.queue.EmbeddedBroker;
import org.apache.camel.CamelContext;

import static org.awaitility.Awaitility.await;

/**
 * The real gateway (config/application.properties and routes/*.yaml of this project), started
 * in-process on a data folder of its own, with a free broker port and fast inbox polling.
 */
public final class TestGateway implements AutoCloseable {

    private final Path dataDir;
    private final Map<String, String> properties;
    private final Gateway gateway;

    private TestGateway(Path dataDir, Map<String, String> properties) {
        this.dataDir = dataDir;
        this.properties = Map.copyOf(properties);
        this.gateway = new Gateway(properties);
    }

    public static Builder on(Path dataDir) {
        return new Builder(dataDir);
    }

    public static final class Builder {
        private final Path dataDir;
        private final Map<String, String> properties = new HashMap<>();

        private Builder(Path dataDir) {
            this.dataDir = dataDir;
            properties.put("mailroute.data.dir", dataDir.toString());
            properties.put("mailroute.broker.port", Integer.toString(freePort()));
            properties.put("mailroute.http.port", Integer.toString(freePort()));
            properties.put("mailroute.inbox.minAge", "0");
            properties.put("mailroute.retry.initialDelay", "500");
            properties.put("mailroute.retry.maxDelay", "2s");
            properties.put("camel.main.routesReloadEnabled", "false");
        }

        public Builder with(String key, String value) {
            properties.put(key, value);
            return this;
        }

        public Builder smtp(int port) {
            return with("mailroute.transport", "smtp").with("mailroute.smtp.host", "127.0.0.1")
                    .with("mailroute.smtp.port", Integer.toString(port)).with("mailroute.smtp.timeout", "5s");
        }

        /** Builds without starting, for tests of a failing start. */
        public Gateway build() {
            return new Gateway(properties);
        }

        public TestGateway start() {
            TestGateway running = new TestGateway(dataDir, properties);
            try {
                running.gateway.start();
            } catch (RuntimeException e) {
                running.close();
                throw e;
            }
            return running;
        }
    }

    /** The same configuration again, e.g. to start this gateway anew on its data after {@link #close()}. */
    public Builder again() {
        Builder builder = new Builder(dataDir);
        builder.properties.putAll(properties);
        return builder;
    }

    public URI http(String path) {
        return URI.create("http://127.0.0.1:" + properties.get("mailroute.http.port") + path);
    }

    public String brokerUrl() {
        return "tcp://127.0.0.1:" + properties.get("mailroute.broker.port");
    }

    public EmbeddedBroker broker() {
        return context().getRegistry().lookupByNameAndType(MailrouteConfiguration.BROKER_BEAN, EmbeddedBroker.class);
    }

    public CamelContext context() {
        return gateway.context();
    }

    public Path folder(String name) {
        return dataDir.resolve(name);
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

    public void awaitInboxEmpty() {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try (Stream<Path> files = Files.list(folder("inbox"))) {
                return files.findAny().isEmpty();
            }
        });
    }

    @Override
    public void close() {
        gateway.close();
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
