package dev.mailroute.support;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.mailroute.Gateway;
import dev.mailroute.settings.SettingsReader;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * One gateway's test configuration: this project's config/application.properties and routes/,
 * with a data folder of its own, free ports, fast inbox polling and short retries. The same
 * settings become property overrides for a gateway in this JVM ({@link #start()}) or
 * {@code MAILROUTE_*} / {@code CAMEL_*} environment variables for one in its own JVM
 * ({@link #environment()}, {@link GatewayProcess}).
 */
public final class GatewayConfig {

    /** What JMS clients of a test gateway log in with (as the broker's submitUser, "submitter"). */
    public static final String SUBMIT_PASSWORD = "test-submitter-password";

    private final Path dataDir;
    private final Map<String, String> properties = new LinkedHashMap<>();

    private GatewayConfig(Path dataDir) {
        this.dataDir = dataDir;
    }

    public static GatewayConfig on(Path dataDir) {
        return new GatewayConfig(dataDir)
                .with("mailroute.data.dir", dataDir.toString())
                .withFreePorts()
                // 0 would mean "unchanged across two checks 250 ms apart" in Camel: 1 ms takes a renamed-in file at once
                .with("mailroute.inbox.minAge", "1")
                .with("mailroute.retry.initialDelay", "500")
                .with("mailroute.retry.maxDelay", "2s")
                .with("mailroute.broker.submitPassword", SUBMIT_PASSWORD)
                // on in the product; off here, because the tests of the other stages count what
                // reaches the relay, the pickup folder and failed/, and a report to a sender the
                // test relay refuses too would be one more. The notify tests turn them on.
                .with("mailroute.bounce.enabled", "false")
                .with("camel.main.routesReloadEnabled", "false");
    }

    public GatewayConfig with(String key, String value) {
        properties.put(key, value);
        return this;
    }

    /** SMTP delivery to a relay on 127.0.0.1 at this port, with a short timeout. */
    public GatewayConfig smtp(int port) {
        return with("mailroute.transport", "smtp").with("mailroute.smtp.host", "127.0.0.1")
                .with("mailroute.smtp.port", Integer.toString(port)).with("mailroute.smtp.timeout", "5s");
    }

    /** A JMS client of this gateway's embedded broker, logged in as a submitter. */
    public ActiveMQConnectionFactory submitter() {
        return new ActiveMQConnectionFactory("tcp://127.0.0.1:" + get("mailroute.broker.port"), "submitter",
                SUBMIT_PASSWORD);
    }

    /** The first API key (what metrics need when keys are set), without its name, or null. */
    public String apiKey() {
        String keys = properties.get("mailroute.api.keys");
        if (keys == null || keys.isBlank()) {
            return null;
        }
        String key = keys.split(",")[0].split("=")[0].trim();
        return key.substring(key.indexOf(':') + 1).trim(); // name:key
    }

    public String get(String key) {
        return properties.get(key);
    }

    public int smtpdPort() {
        return Integer.parseInt(get("mailroute.smtpd.port"));
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The same settings again (to start this gateway anew on its data, or change one value). */
    public GatewayConfig copy() {
        GatewayConfig copy = new GatewayConfig(dataDir);
        copy.properties.putAll(properties);
        return copy;
    }

    /**
     * The same settings on listener ports drawn anew: for a restart on the same data folder after a
     * kill. A port free at the first start can be taken by another process by the time of the
     * restart (seen once in CI: "Address already in use" on the restart of a kill test); what a
     * restart test proves is what the data folder keeps, not the port.
     */
    public GatewayConfig onNewPorts() {
        return copy().withFreePorts();
    }

    /** The broker's, the HTTP API's and the SMTP listener's ports, each a free one. */
    private GatewayConfig withFreePorts() {
        return with("mailroute.broker.port", Integer.toString(TestGateway.freePort()))
                .with("mailroute.http.port", Integer.toString(TestGateway.freePort()))
                .with("mailroute.smtpd.port", Integer.toString(TestGateway.freePort()));
    }

    public Map<String, String> properties() {
        return Map.copyOf(properties);
    }

    /** The settings as an operator would set them in the environment: MAILROUTE_SMTP_HOST=... */
    public Map<String, String> environment() {
        Map<String, String> environment = new LinkedHashMap<>();
        properties.forEach((key, value) -> environment.put(SettingsReader.environmentName(key), value));
        return environment;
    }

    /** Builds without starting, for tests of a failing start. */
    public Gateway build() {
        return new Gateway(properties);
    }

    public TestGateway start() {
        return TestGateway.start(this);
    }
}
