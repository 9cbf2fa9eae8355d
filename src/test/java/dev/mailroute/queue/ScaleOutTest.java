package dev.mailroute.queue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.mailroute.diagnostics.Doctor;
import dev.mailroute.support.GatewayConfig;
import dev.mailroute.support.Http;
import dev.mailroute.support.LogCapture;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.StandaloneBroker;
import dev.mailroute.support.TestGateway;
import dev.mailroute.support.WebhookReceiver;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two gateways as competing consumers of one standalone, secured Artemis broker configured from
 * examples/artemis/broker.xml, delivering to one relay: one answer per client key across both,
 * the broker's credentials never shown, a wrong broker setting named, a broker outage answered
 * with a quick 503 and recovered without a restart.
 */
class ScaleOutTest {

    private static final int KEYS = 20;
    private static final String ADMIN_KEY = "admin-key-0123456789";

    @TempDir
    Path brokerDir;

    @TempDir
    Path first;

    @TempDir
    Path second;

    private StandaloneBroker broker;
    private ScriptedSmtpServer relay;
    private final List<TestGateway> gateways = new ArrayList<>();

    @AfterEach
    void stop() {
        gateways.forEach(TestGateway::close);
        if (relay != null) {
            relay.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private TestGateway gateway(Path data) {
        TestGateway gateway = broker.configure(TestGateway.on(data).smtp(relay.port())).start();
        gateways.add(gateway);
        return gateway;
    }

    private void awaitAllDelivered() {
        await().atMost(Duration.ofSeconds(30)).until(() -> broker.messageCount("mail.outbound") == 0
                                                          && broker.messageCount("mail.submit") == 0);
    }

    /** The documented broker.xml carries webhooks too: its settings pass, and events reach their receiver. */
    @Test
    void webhookEventsGoThroughTheDocumentedBroker() throws Exception {
        broker = StandaloneBroker.start(brokerDir);
        relay = ScriptedSmtpServer.start();
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            GatewayConfig config = broker.configure(TestGateway.on(first).smtp(relay.port()))
                    .with("mailroute.webhooks", "crm")
                    .with("mailroute.webhooks.crm.url", receiver.url())
                    .with("mailroute.webhooks.crm.allowInsecureLoopback", "true")
                    .with("mailroute.webhooks.crm.secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
            TestGateway a = config.start();
            gateways.add(a);
            String id = a.submit(MailRequests.minimal());
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() == 2);
            assertThat(receiver.requests()).extracting(r -> r.type() + " " + r.messageId())
                    .containsExactly("accepted " + id, "delivered " + id);
            ByteArrayOutputStream doctor = new ByteArrayOutputStream();
            Doctor.run(new String[] {"-v"}, new PrintStream(doctor, true, StandardCharsets.UTF_8), config.properties());
            assertThat(doctor.toString(StandardCharsets.UTF_8))
                    .contains("ok    broker settings: the address settings of mailroute's queues are as required");
        }
    }

    @Test
    void oneClientKeyIsOneMessageAcrossInstancesOverHttpAndJms() throws Exception {
        broker = StandaloneBroker.start(brokerDir);
        relay = ScriptedSmtpServer.start();
        TestGateway a = gateway(first);
        TestGateway b = gateway(second);

        // one after the other, to each instance: the same answer, one message
        String key = "Idempotency-Key";
        String firstId = a.submit(MailRequests.minimal().put("subject", "sequential"), key, "order-1");
        String secondId = b.submit(MailRequests.minimal().put("subject", "sequential"), key, "order-1");
        assertThat(secondId).isEqualTo(firstId);

        // at once, to both: twenty keys, each sent to both instances concurrently
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            for (TestGateway gateway : List.of(a, b)) {
                String body = MailRequests.json(MailRequests.minimal().put("subject", "concurrent " + i));
                String k = "batch-" + i;
                answers.add(clients.submit(() -> Http.post(gateway.http("/api/v1/messages"), "application/json",
                        body, key, k).status()));
            }
        }
        for (Future<Integer> answer : answers) {
            assertThat(answer.get()).isEqualTo(202);
        }
        clients.shutdown();

        // JMS: a client puts four messages with the same JSON id on mail.submit
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(broker.url(), "submitter",
                StandaloneBroker.SUBMITTER_PASSWORD);
             Connection connection = factory.createConnection();
             Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            MessageProducer producer = session.createProducer(session.createQueue("mail.submit"));
            for (int i = 0; i < 4; i++) {
                producer.send(session.createTextMessage(MailRequests.json(MailRequests.minimal()
                        .put("id", "jms-key-1").put("subject", "jms duplicate"))));
            }
        }

        // both queues empty, in-delivery messages included: every attempt has reached the relay and
        // been committed, and every duplicate was refused when it was sent — no copy can come later
        awaitAllDelivered();
        List<String> subjects = relay.transactions().stream()
                .map(t -> t.data().replaceAll("(?s).*\r\nSubject: ([^\r]*)\r\n.*", "$1")).toList();
        assertThat(subjects).filteredOn("sequential"::equals).hasSize(1);
        assertThat(subjects).filteredOn("jms duplicate"::equals).hasSize(1);
        for (int i = 0; i < KEYS; i++) {
            assertThat(subjects).as("concurrent %d", i).filteredOn(("concurrent " + i)::equals).hasSize(1);
        }
        assertThat(relay.transactions()).hasSize(KEYS + 2);
        assertThat(a.delivered("smtp") + b.delivered("smtp")).isEqualTo(KEYS + 2);
    }

    /**
     * One of two instances stops while mail keeps arriving: what its consumers take off the queue as
     * they stop is delivered before the stop ends, once, not given back. Given back, the broker held
     * it for the retry's first delay (30 s) as if an attempt had failed, and the other instance,
     * taking over, got it 30 s late; processed while Camel stopped the routes it goes through, it
     * reached the relay and was then rolled back, and went a second time. The other instance
     * accepts (its delivery suspended) while this happens.
     */
    @Test
    void anInstanceThatStopsDeliversWhatItTookInsteadOfGivingItBackForARetry() throws Exception {
        broker = StandaloneBroker.start(brokerDir);
        relay = ScriptedSmtpServer.start();
        TestGateway stopping = gateway(first);
        TestGateway accepting = broker.configure(TestGateway.on(second).smtp(relay.port())
                .with("mailroute.admin.keys", "ops:" + ADMIN_KEY)).start();
        gateways.add(accepting);
        assertThat(delivery(accepting, "suspend")).isEqualTo(200);
        AtomicBoolean submitting = new AtomicBoolean(true);
        AtomicInteger submitted = new AtomicInteger();
        CompletableFuture<Void> submitter = CompletableFuture.runAsync(() -> {
            while (submitting.get()) {
                accepting.submit(MailRequests.minimal());
                submitted.incrementAndGet();
            }
        });
        try {
            await().until(() -> relay.transactions().size() >= 20);
            stopping.close();
            // more mail after the stop, for the consumers of the stopped instance to have missed
            int atTheStop = submitted.get();
            await().until(() -> submitted.get() >= atTheStop + 20);
        } finally {
            submitting.set(false);
            submitter.get(30, TimeUnit.SECONDS);
        }
        assertThat(broker.scheduledCount("mail.outbound")).as("messages given back to wait for a retry").isZero();
        assertThat(delivery(accepting, "resume")).isEqualTo(200);
        awaitAllDelivered();
        assertThat(relay.transactions()).hasSize(submitted.get());
    }

    private static int delivery(TestGateway gateway, String action) {
        return Http.post(gateway.http("/api/v1/admin/delivery/" + action), "application/json", "",
                "Authorization", "Bearer " + ADMIN_KEY).status();
    }

    @Test
    void theBrokersCredentialsAppearNowhereAndAWrongSettingIsNamed() throws Exception {
        broker = StandaloneBroker.start(brokerDir, config -> config.addAddressSetting("mail.submit",
                new AddressSettings().setMaxDeliveryAttempts(3)).addAddressSetting("mail.webhook.#",
                new AddressSettings().setDefaultExclusiveQueue(false).setRedeliveryDelay(0)));
        relay = ScriptedSmtpServer.start();
        String output;
        try (LogCapture log = LogCapture.of(Logger.ROOT_LOGGER_NAME)) {
            // credentials in the URL too, as operators write them: redacted, and a warning to move them
            GatewayConfig config = broker.configure(TestGateway.on(first).smtp(relay.port()))
                    .with("mailroute.broker.url", broker.url() + "?user=mailroute&password=" + StandaloneBroker.PASSWORD)
                    .with("mailroute.throttle.scope", "gateway")
                    .with("mailroute.webhooks", "crm")
                    .with("mailroute.webhooks.crm.url", "http://127.0.0.1:9/hooks")
                    .with("mailroute.webhooks.crm.allowInsecureLoopback", "true")
                    .with("mailroute.webhooks.crm.events", "bounced")
                    .with("mailroute.webhooks.crm.secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
            TestGateway a = config.start();
            gateways.add(a);
            a.submit(MailRequests.minimal());
            await().until(() -> relay.transactions().size() == 1);

            ByteArrayOutputStream doctor = new ByteArrayOutputStream();
            int exit = Doctor.run(new String[] {"-v"}, new PrintStream(doctor, true, StandardCharsets.UTF_8),
                    config.properties());
            String doctorText = doctor.toString(StandardCharsets.UTF_8);
            assertThat(exit).as(doctorText).isEqualTo(1);
            assertThat(doctorText).contains("FAIL  broker settings: mail.submit: max-delivery-attempts is 3, should be 10")
                    .contains("mail.webhook.#: default-exclusive-queue is false, should be true")
                    .contains("FAIL  broker settings: mail.outbound: the queue is not exclusive")
                    .contains("ok    broker reachable: tcp://127.0.0.1:")
                    .contains("mail.outbound 0 (of them 0 waiting for a retry)")
                    .contains("mailroute.broker.url = " + broker.url() + "?user=****&password=****");
            assertThat(log.lines()).anySatisfy(line -> assertThat(line)
                    .startsWith("WARN external broker: mail.submit: max-delivery-attempts is 3, should be 10"));
            assertThat(log.lines()).anySatisfy(line -> assertThat(line)
                    .startsWith("WARN mailroute.broker.url carries credentials"));

            broker.stop();
            String health = Http.get(a.http("/observe/health")).body();
            output = log.text() + doctorText + health;
        }
        assertThat(output).doesNotContain(StandaloneBroker.PASSWORD);
    }

    /** A named relay's queue needs mail.relay.# as the documented broker.xml has it: a broker without it is named. */
    @Test
    void aRelaysQueueSettingThatDiffersIsNamedAtTheStart() throws Exception {
        broker = StandaloneBroker.start(brokerDir, config -> config.addAddressSetting("mail.relay.#",
                new AddressSettings().setDefaultExclusiveQueue(false).setAutoCreateQueues(true)
                        .setAutoCreateAddresses(true)));
        relay = ScriptedSmtpServer.start();
        java.nio.file.Path routing = java.nio.file.Files.writeString(first.resolve("routing.yaml"),
                "rules:\n  - default: bulk\n");
        try (LogCapture log = LogCapture.of(Logger.ROOT_LOGGER_NAME)) {
            GatewayConfig config = broker.configure(TestGateway.on(first).smtp(relay.port()))
                    .with("mailroute.throttle.scope", "gateway")
                    .with("mailroute.relays", "bulk")
                    .with("mailroute.relays.bulk.host", "127.0.0.1")
                    .with("mailroute.relays.bulk.port", Integer.toString(relay.port()))
                    .with("mailroute.routing.file", routing.toString());
            TestGateway a = config.start();
            gateways.add(a);
            assertThat(log.lines()).anySatisfy(line -> assertThat(line).startsWith(
                    "WARN external broker: mail.relay.#: default-exclusive-queue is false, should be true"));
            a.submit(MailRequests.minimal());
            await().until(() -> relay.transactions().size() == 1);

            ByteArrayOutputStream doctor = new ByteArrayOutputStream();
            Doctor.run(new String[0], new PrintStream(doctor, true, StandardCharsets.UTF_8), config.properties());
            assertThat(doctor.toString(StandardCharsets.UTF_8))
                    .contains("FAIL  broker settings: mail.relay.#: default-exclusive-queue is false, should be true");
        }
    }

    @Test
    void whileTheBrokerIsAwayTheApiAnswers503QuicklyAndRecoversWithoutARestart() throws Exception {
        broker = StandaloneBroker.start(brokerDir);
        relay = ScriptedSmtpServer.start();
        TestGateway a = gateway(first);
        a.submit(MailRequests.minimal().put("subject", "before"));
        await().until(() -> relay.transactions().size() == 1);

        broker.stop();
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            Http.Answer answer = Http.post(a.http("/api/v1/messages"), "application/json",
                    MailRequests.json(MailRequests.minimal()));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(answer.status()).as(answer.body()).isEqualTo(503);
            assertThat(answer.header("Retry-After")).isNotNull();
            // mailroute.broker.callTimeout is 2 s: a client with a 5 s timeout gets the 503
            assertThat(millis).as("answered in %d ms", millis).isLessThan(4500);
        }
        assertThat(Http.get(a.http("/observe/health/ready")).status()).isEqualTo(503);

        broker.startAgain();
        await().atMost(Duration.ofSeconds(60)).until(() -> Http.post(a.http("/api/v1/messages"), "application/json",
                MailRequests.json(MailRequests.minimal().put("subject", "after"))).status() == 202);
        await().atMost(Duration.ofSeconds(60)).until(() -> relay.transactions().stream()
                .anyMatch(t -> t.data().contains("Subject: after\r\n")));
        assertThat(Http.get(a.http("/observe/health/ready")).status()).isEqualTo(200);
    }

    /** A request before the routes are up is told to come back, never answered 404. */
    @Test
    void beforeTheGatewayIsReadyTheApiAnswers503NotA404() throws Exception {
        broker = StandaloneBroker.start(brokerDir);
        relay = ScriptedSmtpServer.start();
        GatewayConfig config = broker.configure(TestGateway.on(first).smtp(relay.port()));
        Set<Integer> statuses = new HashSet<>();
        CompletableFuture<TestGateway> starting = CompletableFuture.supplyAsync(config::start);
        while (!starting.isDone()) {
            try {
                statuses.add(Http.post(java.net.URI.create("http://127.0.0.1:" + config.get("mailroute.http.port")
                                                          + "/api/v1/messages"), "application/json",
                        MailRequests.json(MailRequests.minimal())).status());
            } catch (RuntimeException e) {
                // not listening yet
            }
        }
        TestGateway started = starting.get();
        gateways.add(started);
        assertThat(statuses).doesNotContain(404).contains(503);
        assertThat(Http.post(started.http("/api/v1/messages"), "application/json",
                MailRequests.json(MailRequests.minimal())).status()).isEqualTo(202);
    }
}
