package dev.mailroute.support;

import java.nio.file.Path;
import java.util.function.Consumer;

import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;
import org.apache.activemq.artemis.core.config.FileDeploymentManager;
import org.apache.activemq.artemis.core.config.impl.FileConfiguration;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;

/**
 * An ActiveMQ Artemis broker that is not a gateway's own, as an operator runs one for several
 * instances: configured from the project's examples/artemis/broker.xml (the file the docs give),
 * with login required — the accounts mailroute (role mailroute) and submitter (role submitter) —
 * on a TCP port of its own and a journal folder of its own. It can be stopped and started again on
 * the same journal, as a broker restart.
 */
public final class StandaloneBroker implements AutoCloseable {

    public static final String PASSWORD = "broker-password-0123456789";
    public static final String SUBMITTER_PASSWORD = "submitter-password-0123456789";

    private final Path dir;
    private final int port;
    private final Consumer<Configuration> change;
    private EmbeddedActiveMQ server;

    private StandaloneBroker(Path dir, Consumer<Configuration> change) {
        this.dir = dir;
        this.port = TestGateway.freePort();
        this.change = change;
    }

    public static StandaloneBroker start(Path dir) {
        return start(dir, config -> { });
    }

    /** With a change to the configuration read from broker.xml (a setting an operator got wrong). */
    public static StandaloneBroker start(Path dir, Consumer<Configuration> change) {
        StandaloneBroker broker = new StandaloneBroker(dir, change);
        broker.startAgain();
        return broker;
    }

    public synchronized void startAgain() {
        try {
            FileConfiguration config = new FileConfiguration();
            FileDeploymentManager deployment = new FileDeploymentManager(
                    Path.of("examples/artemis/broker.xml").toAbsolutePath().toUri().toString());
            deployment.addDeployable(config);
            deployment.readConfiguration();
            config.setJournalDirectory(dir.resolve("journal").toString());
            config.setBindingsDirectory(dir.resolve("bindings").toString());
            config.setLargeMessagesDirectory(dir.resolve("large-messages").toString());
            config.setPagingDirectory(dir.resolve("paging").toString());
            config.setNodeManagerLockDirectory(dir.toString());
            config.setJMXManagementEnabled(false);
            config.getAcceptorConfigurations().clear();
            config.addAcceptorConfiguration("artemis", "tcp://127.0.0.1:" + port + "?protocols=CORE");
            change.accept(config);
            SecurityConfiguration users = new SecurityConfiguration();
            users.addUser("mailroute", PASSWORD);
            users.addRole("mailroute", "mailroute");
            users.addUser("submitter", SUBMITTER_PASSWORD);
            users.addRole("submitter", "submitter");
            server = new EmbeddedActiveMQ();
            server.setConfiguration(config);
            server.setSecurityManager(new ActiveMQJAASSecurityManager(InVMLoginModule.class.getName(), users));
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("the standalone broker did not start: " + e.getMessage(), e);
        }
    }

    public synchronized void stop() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    /** What a gateway needs to use this broker: its URL and mailroute's account. */
    public GatewayConfig configure(GatewayConfig gateway) {
        return gateway.with("mailroute.broker.url", url()).with("mailroute.broker.username", "mailroute")
                .with("mailroute.broker.password", PASSWORD);
    }

    public long messageCount(String queue) {
        return server.getActiveMQServer().locateQueue(queue).getMessageCount();
    }

    /** Messages on the queue that wait for a time: a retry, or one given back after a delivery attempt. */
    public long scheduledCount(String queue) {
        return server.getActiveMQServer().locateQueue(queue).getScheduledCount();
    }

    @Override
    public void close() {
        stop();
    }
}
