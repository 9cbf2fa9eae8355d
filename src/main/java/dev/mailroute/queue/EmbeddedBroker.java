package dev.mailroute.queue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import dev.mailroute.files.AtomicFile;
import dev.mailroute.settings.Secret;
import dev.mailroute.settings.StartupCheckException;

import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;
import org.apache.activemq.artemis.core.remoting.impl.netty.TransportConstants;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The default queue: an ActiveMQ Artemis broker inside the gateway's JVM, with a persistent
 * journal under the data folder, so a first run needs nothing installed and accepted mail
 * survives a crash. Routes reach it in-VM; JMS clients over TCP on
 * {@code mailroute.broker.host:port} (with TLS when a certificate is configured).
 *
 * <p>Security is always on. mailroute itself logs in as {@value #INTERNAL_USER} with a password made
 * up at each start and never stored, and may do anything; JMS submitters log in as
 * {@code mailroute.broker.submitUser} and may only send to {@code mail.submit} — not browse, not
 * consume, not send anywhere else. Other mailroute instances that use this broker as theirs log in
 * with {@code mailroute.broker.username} / {@code mailroute.broker.password} (the same keys they
 * set), with mailroute's own rights. A client without credentials is refused, and one that has not
 * logged in within {@code mailroute.broker.handshakeTimeout} is cut off ({@link LoginDeadline}).
 */
public final class EmbeddedBroker extends ServiceSupport {

    /** In-VM server ids: each broker in this JVM (tests run several) its own, or they would reach each other's. */
    private static final AtomicInteger IN_VM_IDS = new AtomicInteger();

    /**
     * The queues mailroute uses; declared up front so they exist before the first message.
     * mail.held keeps what an operator put on hold (docs/queue.md): nothing consumes it; nor the
     * mail.deleting.* queues, where a delete that tells the senders keeps what it works on.
     */
    public static final List<String> QUEUES = List.of("mail.outbound", "mail.submit", "mail.rejected", "mail.failed",
            "mail.held", QueueOperations.DELETING_OUTBOUND, QueueOperations.DELETING_HELD);

    /** Where webhook events that will not be sent wait (routes/notify-webhooks.yaml). */
    public static final String WEBHOOKS_FAILED = "mail.webhooks.failed";

    /** mailroute's own account on its broker (in-VM). */
    public static final String INTERNAL_USER = "mailroute";
    private static final String INTERNAL_ROLE = "mailroute";
    private static final String SUBMITTER_ROLE = "submitter";

    /** Named so the broker has one, though with unlimited delivery attempts nothing is ever sent there by it. */
    private static final String DEAD_LETTERS = "mail.failed";

    /** Where Artemis keeps the duplicate ids of mail.outbound's keyed messages (see KeyedDuplicateId). */
    public static final String KEYS_CACHE = "BRIDGE.mail.outbound";
    /**
     * The inbox files' identities each mail address remembers (FileDuplicateId): a crash leaves at
     * most one poll's files (mailroute.inbox.filesPerTransaction) undeleted. Artemis' default, 20,000,
     * kept 20,000 records alive in the journal, and HTTP batches of 100 KB after 10,000 inbox files
     * took 1.4 times the CPU per message they took before those files (bench/run.sh, 2026-12-06).
     */
    static final int INBOX_IDS = 1000;

    private static final int JOURNAL_BUFFER_TIMEOUT_NANOS = 500_000;

    private final BrokerSettings settings;
    private final RedeliveryPolicy redelivery;
    private final boolean exclusiveOutbound;
    private final Secret internalPassword;
    private final String inVmUrl = "vm://" + IN_VM_IDS.getAndIncrement();
    private EmbeddedActiveMQ server;

    /** Broker-side redelivery after a rolled-back delivery attempt. */
    public record RedeliveryPolicy(long initialDelayMillis, double multiplier, long maxDelayMillis) {
    }

    public EmbeddedBroker(BrokerSettings settings, RedeliveryPolicy redelivery) {
        this(settings, redelivery, false);
    }

    /**
     * @param exclusiveOutbound mail.outbound as an exclusive queue: one consumer of all the instances
     *     on this broker takes from it at a time ({@code mailroute.throttle.scope=gateway})
     */
    public EmbeddedBroker(BrokerSettings settings, RedeliveryPolicy redelivery, boolean exclusiveOutbound) {
        this.settings = settings;
        this.redelivery = redelivery;
        this.exclusiveOutbound = exclusiveOutbound;
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        this.internalPassword = Secret.of(Base64.getUrlEncoder().withoutPadding().encodeToString(random));
    }

    /** Where mailroute's own connections reach this broker, inside the JVM. */
    public String inVmUrl() {
        return inVmUrl;
    }

    /** What mailroute's own connection factory logs in with. */
    public Secret internalPassword() {
        return internalPassword;
    }

    @Override
    protected void doStart() throws Exception {
        Path dir = settings.dir();
        Secret submitPassword = SubmitterPassword.resolve(settings.submitPassword(), dir, settings.submitUser());
        ConfigurationImpl config = new ConfigurationImpl();
        config.setName("mailroute");
        config.setPersistenceEnabled(true);
        config.setSecurityEnabled(true);
        // JMSXUserID on every message is the account that sent it, set by the broker: the ledger's
        // "who submitted it" for JMS, which no client can forge
        config.setPopulateValidatedUser(true);
        config.setJMXManagementEnabled(false);
        // NIO works everywhere; the native AIO journal needs libaio and prints warnings without it
        config.setJournalType(JournalType.NIO);
        // Artemis gathers the writes that arrive within this window into one fsync. The default
        // (3.3 ms) caps a sender that waits for each durable send at ~300 msg/s; an fsync takes
        // ~0.4 ms on the machines measured, so a 0.5 ms window keeps the disk busy without that cap.
        // Every accepted message is still synced before it is acknowledged.
        config.setJournalBufferTimeout_NIO(JOURNAL_BUFFER_TIMEOUT_NANOS);
        config.setJournalDirectory(dir.resolve("journal").toString());
        config.setBindingsDirectory(dir.resolve("bindings").toString());
        config.setLargeMessagesDirectory(dir.resolve("large-messages").toString());
        config.setPagingDirectory(dir.resolve("paging").toString());
        config.setNodeManagerLockDirectory(dir.toString());
        config.addAcceptorConfiguration("in-vm", inVmUrl);
        config.addAcceptorConfiguration("tcp", "tcp://" + settings.host() + ":" + settings.port()
                                               + acceptorParameters(dir));
        // Artemis' handshake-timeout stops at a client's first bytes; this one waits for its login
        config.registerBrokerPlugin(new LoginDeadline(settings.handshakeTimeoutMillis()));

        // mailroute may do anything; submitters may only send to mail.submit. Artemis takes the
        // most specific match, so mail.submit names mailroute's role again.
        Role internal = new Role(INTERNAL_ROLE, true, true, true, true, true, true, true, true, true, true);
        Role submitter = new Role(SUBMITTER_ROLE, true, false, false, false, false, false, false, false, false, false);
        config.putSecurityRoles("#", Set.of(internal));
        config.putSecurityRoles("mail.submit", Set.of(internal, submitter));
        SecurityConfiguration users = new SecurityConfiguration();
        users.addUser(INTERNAL_USER, internalPassword.reveal());
        users.addRole(INTERNAL_USER, INTERNAL_ROLE);
        users.addUser(settings.submitUser(), submitPassword.reveal());
        users.addRole(settings.submitUser(), SUBMITTER_ROLE);
        if (settings.username() != null && settings.password() != null) {
            users.addUser(settings.username(), settings.password().reveal());
            users.addRole(settings.username(), INTERNAL_ROLE);
        }

        AddressSettings mail = redelivery()
                // never drop or dead-letter on our own: mailroute decides when a message is failed
                .setMaxDeliveryAttempts(-1)
                .setDeadLetterAddress(SimpleString.of(DEAD_LETTERS))
                .setExpiryAddress(SimpleString.of(DEAD_LETTERS))
                .setAutoCreateQueues(true)
                .setAutoCreateAddresses(true)
                .setIDCacheSize(INBOX_IDS);
        config.addAddressSetting("mail.#", mail);
        // the client keys every instance on this broker shares (KeyedDuplicateId): the last keyCache
        // keyed messages, persisted with the journal; Artemis keeps them under "BRIDGE." + address
        config.addAddressSetting(KEYS_CACHE, new AddressSettings().setIDCacheSize(settings.keyCache()));
        // a webhook endpoint's outbox (routes/notify-webhooks.yaml): one consumer at a time, whichever
        // instance, so its events go out in order; an event given back goes back first, at once (a
        // redelivery delay would let the next event overtake it)
        config.addAddressSetting("mail.webhook.#", new AddressSettings().setDefaultExclusiveQueue(true)
                .setRedeliveryDelay(0));
        // a named relay's queue (routes/deliver.yaml): with mailroute.throttle.scope=gateway one consumer
        // of all the instances at a time, as mail.outbound, so that each relay's throttle holds for all
        config.addAddressSetting("mail.relay.#", new AddressSettings().setDefaultExclusiveQueue(exclusiveOutbound));
        // a submission that keeps failing for a reason other than bad input must not loop forever
        config.addAddressSetting("mail.submit", redelivery()
                .setMaxDeliveryAttempts(BrokerManagement.SUBMIT_ATTEMPTS)
                .setDeadLetterAddress(SimpleString.of("mail.rejected")));
        for (String queue : QUEUES) {
            // a queue of the configuration is updated from it at every start: the scope can change
            config.addQueueConfiguration(QueueConfiguration.of(queue).setAddress(queue)
                    .setRoutingType(RoutingType.ANYCAST).setDurable(true)
                    .setExclusive(queue.equals(QueueOperations.OUTBOUND) && exclusiveOutbound));
        }
        // webhook events set aside: declared here too (required of an external broker only with webhooks)
        config.addQueueConfiguration(QueueConfiguration.of(WEBHOOKS_FAILED).setAddress(WEBHOOKS_FAILED)
                .setRoutingType(RoutingType.ANYCAST).setDurable(true));

        requireFreePort();
        server = new EmbeddedActiveMQ();
        server.setConfiguration(config);
        server.setSecurityManager(new ActiveMQJAASSecurityManager(InVMLoginModule.class.getName(), users));
        try {
            server.start();
            if (!server.getActiveMQServer().getRemotingService().getAcceptor("tcp").isStarted()) {
                throw new StartupCheckException(portProblem("the broker could not open its JMS acceptor there"));
            }
        } catch (Exception e) {
            // Artemis threads are not daemons: a half-started broker would keep the JVM alive
            stopQuietly();
            throw e;
        }
    }

    /**
     * Artemis logs a port it cannot bind and runs on without its TCP acceptor; a start that cannot
     * serve its JMS clients must stop instead, with the key to change.
     */
    private void requireFreePort() {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(settings.host(), settings.port()));
        } catch (IOException e) {
            throw new StartupCheckException(portProblem(e.getMessage()));
        }
    }

    private String portProblem(String cause) {
        return "mailroute.broker.port=" + settings.port() + ": the embedded broker cannot listen on " + settings.host()
               + ":" + settings.port() + " (" + cause + "). Fix: stop what uses that port, or set"
               + " mailroute.broker.port (and mailroute.broker.host) to an address that is free";
    }

    /**
     * A client that connects and sends nothing is closed after mailroute.broker.handshakeTimeout:
     * Artemis' handshake-timeout counts from the connect until its first bytes (with TLS, the first
     * ones after the TLS handshake, so the handshake counts in that time; sslHandshakeTimeout bounds
     * the handshake alone). TLS from PEM files, through the PEM key store Artemis brings
     * (de.dentrassi pem-keystore): its configuration names the certificate and the key files.
     */
    private String acceptorParameters(Path dir) throws IOException {
        String handshake = "?" + TransportConstants.HANDSHAKE_TIMEOUT + "=" + settings.handshakeTimeoutSeconds();
        if (!settings.tls()) {
            return handshake;
        }
        Path pemConfig = dir.resolve("tls.pemcfg");
        String text = "source.cert=" + settings.tlsCert() + "\nsource.key=" + settings.tlsKey() + "\n";
        AtomicFile.write(pemConfig, text.getBytes(StandardCharsets.UTF_8), true, AtomicFile.OWNER_ONLY);
        return handshake + ";" + TransportConstants.SSL_HANDSHAKE_TIMEOUT + "=" + settings.handshakeTimeoutSeconds()
               + ";sslEnabled=true;keyStoreType=PEMCFG;keyStorePath=" + pemConfig + ";enabledProtocols=TLSv1.2,TLSv1.3";
    }

    /** The wait before a rolled-back message is offered again. */
    private AddressSettings redelivery() {
        return new AddressSettings()
                .setRedeliveryDelay(redelivery.initialDelayMillis())
                .setRedeliveryMultiplier(redelivery.multiplier())
                .setMaxRedeliveryDelay(redelivery.maxDelayMillis());
    }

    /** Messages on the queue now, scheduled ones (waiting for a retry) included. */
    public long messageCount(String queue) {
        return server.getActiveMQServer().locateQueue(SimpleString.of(queue)).getMessageCount();
    }

    /** Messages on the queue that wait for their delivery time (retries). */
    public long scheduledCount(String queue) {
        return server.getActiveMQServer().locateQueue(SimpleString.of(queue)).getScheduledCount();
    }

    /** Offers the messages waiting for their retry time now, as Postfix's {@code postqueue -f} does. */
    public void flush(String queue) throws ActiveMQException {
        server.getActiveMQServer().locateQueue(SimpleString.of(queue)).deliverScheduledMessages();
    }

    /** The running broker itself, for tests that watch it from the inside. */
    ActiveMQServer server() {
        return server.getActiveMQServer();
    }

    @Override
    protected void doStop() throws Exception {
        stopQuietly();
    }

    private void stopQuietly() {
        if (server != null) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // stopping is best effort; the journal is consistent after every sync
            }
            server = null;
        }
    }
}
