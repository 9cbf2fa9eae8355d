package dev.mailroute.queue;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.mailroute.support.MailRequests;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two gateways on one broker share the work: the second points mailroute.broker.url at the
 * first one's broker and consumes the same mail.outbound.
 */
class SharedBrokerTest {

    @TempDir
    Path first;

    @TempDir
    Path second;

    @Test
    void aSecondInstanceDeliversWhatTheFirstAccepted() throws Exception {
        try (TestGateway a = TestGateway.on(first).with("mailroute.broker.username", "peer")
                .with("mailroute.broker.password", "peer-password").start();
             TestGateway b = TestGateway.on(second).with("mailroute.broker.url", a.brokerUrl())
                     .with("mailroute.broker.username", "peer").with("mailroute.broker.password", "peer-password")
                     .start()) {
            // with a's delivery stopped, only b can take messages off the shared queue
            a.context().getRouteController().stopRoute("deliver");
            for (int i = 0; i < 5; i++) {
                a.drop("m" + i + ".json", MailRequests.json(MailRequests.minimal()));
            }
            b.awaitFiles("pickup", 5);
            assertThat(b.files("pickup")).hasSize(5);
            assertThat(a.files("pickup")).isEmpty();

            // both consuming: every message is delivered once, by one of them
            a.context().getRouteController().startRoute("deliver");
            for (int i = 0; i < 20; i++) {
                b.drop("n" + i + ".json", MailRequests.json(MailRequests.minimal()));
            }
            await().until(() -> a.files("pickup").size() + b.files("pickup").size() == 25);
            // the shared queue is a's: once it is empty, every delivery there will be has happened;
            // each instance counts its own (a duplicate would rewrite a file of the same name)
            a.awaitQueueEmpty();
            assertThat(a.delivered("pickup") + b.delivered("pickup")).as("each message delivered once").isEqualTo(25);
            assertThat(Files.exists(second.resolve("broker"))).as("b runs no broker of its own").isFalse();
        }
    }
}
