package dev.mailroute.queue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.mailroute.delivery.smtp.RelayCircuit;
import dev.mailroute.support.Http;
import dev.mailroute.support.LogCapture;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestGateway;
import org.apache.camel.support.service.ServiceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An operator's suspension of delivery and the relay's circuit breaker pause the same route: the
 * circuit closing again must not resume what the operator suspended, and acceptance goes on.
 */
class DeliverySuspensionTest {

    private static final String ADMIN = "Bearer admin-key-0123456789";

    @TempDir
    Path data;

    private ScriptedSmtpServer relay;
    private TestGateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void theCircuitClosingAgainDoesNotResumeWhatAnOperatorSuspended() {
        int port = TestGateway.freePort(); // nothing listens yet: the circuit opens
        try (LogCapture circuit = LogCapture.of(RelayCircuit.class);
             LogCapture deliverySwitch = LogCapture.of(DeliverySwitch.class)) {
            gateway = TestGateway.on(data).smtp(port)
                    .with("mailroute.smtp.timeout", "1s")
                    .with("mailroute.retry.initialDelay", "1s")
                    .with("mailroute.retry.maxDelay", "1s")
                    .with("mailroute.circuit.failures", "1")
                    .with("mailroute.circuit.probeInterval", "500")
                    .with("mailroute.admin.keys", "ops:admin-key-0123456789")
                    .start();
            gateway.submit(MailRequests.minimal());
            await().until(() -> circuit.lines().stream().anyMatch(l -> l.startsWith("WARN relay circuit OPEN")));

            assertThat(suspend("suspend").status()).isEqualTo(200);
            relay = ScriptedSmtpServer.start(port);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> circuit.lines().stream().anyMatch(l -> l.startsWith("INFO relay circuit HALF_OPEN")));
            await().until(() -> deliverySwitch.lines().stream()
                    .anyMatch(l -> l.startsWith("INFO delivery stays suspended")));

            // accepted while suspended: 202, and the queue grows
            gateway.submit(MailRequests.minimal().put("subject", "while suspended"));
            await().until(() -> gateway.broker().messageCount("mail.outbound") == 2);
            await().until(() -> ServiceHelper.isSuspended(gateway.context().getRoute("deliver").getConsumer()));
            assertThat(relay.transactions()).isEmpty();

            assertThat(suspend("resume").json().get("delivery").asText()).isEqualTo("running");
            // the first message waits for its retry (1 s), or for the broker's redelivery delay if a
            // consumer had it in hand when the circuit opened
            await().atMost(Duration.ofSeconds(20)).until(() -> relay.transactions().size() == 2);
            gateway.awaitQueueEmpty();
            assertThat(relay.transactions()).hasSize(2);
        }
    }

    /** A route reload stops and starts every route; the delivery route comes back suspended. */
    @Test
    void aSuspensionOutlastsTheDeliveryRouteStartingAgain() throws Exception {
        relay = ScriptedSmtpServer.start();
        gateway = TestGateway.on(data).smtp(relay.port())
                .with("mailroute.admin.keys", "ops:admin-key-0123456789")
                .start();
        assertThat(suspend("suspend").status()).isEqualTo(200);
        gateway.context().getRouteController().stopRoute("deliver");
        gateway.context().getRouteController().startRoute("deliver");
        await().until(() -> ServiceHelper.isSuspended(gateway.context().getRoute("deliver").getConsumer()));

        gateway.submit(MailRequests.minimal().put("subject", "after the restart"));
        await().until(() -> gateway.broker().messageCount("mail.outbound") == 1);
        assertThat(relay.transactions()).isEmpty();
        assertThat(suspend("resume").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> relay.transactions().size() == 1);
    }

    /**
     * A message a delivery consumer takes off the queue while delivery is being suspended is
     * delivered before the suspend answers, not given back: given back, the broker would hold it
     * for the retry's first delay (30 s) as if an attempt had failed — after a resume, and on the
     * other instance when one of two stops (docs/scale-out.md). Messages keep arriving through the
     * suspend, so that the consumers waiting in their receive take some while they stop.
     */
    @Test
    void aMessageTakenWhileDeliveryIsSuspendedIsNotHeldBackForARetry() throws Exception {
        relay = ScriptedSmtpServer.start();
        gateway = TestGateway.on(data).smtp(relay.port())
                .with("mailroute.admin.keys", "ops:admin-key-0123456789")
                .start();
        AtomicBoolean submitting = new AtomicBoolean(true);
        AtomicInteger submitted = new AtomicInteger();
        CompletableFuture<Void> submitter = CompletableFuture.runAsync(() -> {
            while (submitting.get()) {
                gateway.submit(MailRequests.minimal());
                submitted.incrementAndGet();
            }
        });
        try {
            await().until(() -> relay.transactions().size() >= 20);
            assertThat(suspend("suspend").status()).isEqualTo(200);
            // the submissions go on until the suspended consumers have all left their receive
            await().until(() -> gateway.broker().messageCount("mail.outbound") >= 20);
        } finally {
            submitting.set(false);
            submitter.get(30, TimeUnit.SECONDS);
        }
        assertThat(gateway.broker().scheduledCount("mail.outbound")).as("messages given back to wait for a retry")
                .isZero();
        assertThat(suspend("resume").status()).isEqualTo(200);
        gateway.awaitQueueEmpty();
        assertThat(relay.transactions()).hasSize(submitted.get());
        // counted from the first one on: no sample at all (-1) until then
        assertThat(gateway.metric("mailroute_messages_redelivered_total\\{transport=\"smtp\"}"))
                .as("messages the broker handed out again").isNotPositive();
    }

    private Http.Answer suspend(String action) {
        return Http.post(gateway.http("/api/v1/admin/delivery/" + action), "application/json", "",
                "Authorization", ADMIN);
    }
}
