package dev.mailroute.ingress;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.mailroute.support.Http;
import dev.mailroute.support.Http.Answer;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What the API and health say when the queue or the relay is not there. */
class HttpAvailabilityTest {

    @TempDir
    Path data;

    @Test
    void withoutTheQueueNothingIsAcceptedAnd503SaysSo() {
        try (TestGateway gateway = TestGateway.on(data).start()) {
            gateway.submit(MailRequests.minimal());

            gateway.broker().stop();

            Answer answer = Http.post(gateway.http("/api/v1/messages"), "application/json",
                    MailRequests.json(MailRequests.minimal()));
            assertThat(answer.status()).isEqualTo(503);
            assertThat(answer.contentType()).isEqualTo("application/problem+json");
            assertThat(answer.json().get("type").asText()).isEqualTo("urn:mailroute:problem:queue-unavailable");
            assertThat(answer.json().get("detail").asText()).contains("not accepted");
            assertThat(answer.header("Retry-After")).isEqualTo("30");

            await().until(() -> Http.get(gateway.http("/observe/health/live")).status() == 503);
            assertThat(Http.get(gateway.http("/observe/health/live")).body()).contains("broker");
            Answer ready = Http.get(gateway.http("/observe/health/ready"));
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.body()).contains("cannot connect to the broker");
        }
    }

    @Test
    void anUnwritablePickupFolderIsReportedAndTheGatewayStaysReadyToAccept() throws Exception {
        try (TestGateway gateway = TestGateway.on(data).start()) {
            await().until(() -> Http.get(gateway.http("/observe/health")).status() == 200);
            Path pickup = gateway.folder("pickup");
            Files.delete(pickup);
            Files.writeString(pickup, "a file where the folder should be");

            assertThat(Http.get(gateway.http("/observe/health/ready")).status()).isEqualTo(200);
            Answer ready = Http.get(gateway.http("/observe/health"));
            assertThat(ready.status()).isEqualTo(503);
            // Camel 4.18's health answer escapes every '/' once more than JSON needs ("\\/" after parsing)
            assertThat(ready.json().get("checks")).filteredOn(c -> c.get("name").asText().equals("transport"))
                    .singleElement().satisfies(check -> assertThat(check.get("message").asText().replace("\\/", "/"))
                            .contains("pickup folder " + pickup).contains("it exists but is not a folder"));
        }
    }

    /**
     * Readiness means "can accept": a relay that is down is the moment a queue is for, so the
     * instance stays in a load balancer's rotation; the relay's state is in /observe/health.
     */
    @Test
    void aRelayThatIsDownIsReportedButTheGatewayStaysReadyAndAlive() {
        try (TestGateway gateway = TestGateway.on(data).smtp(TestGateway.freePort())
                .with("mailroute.circuit.failures", "1").with("mailroute.retry.initialDelay", "1s").start()) {
            gateway.submit(MailRequests.minimal());
            await().until(() -> Http.get(gateway.http("/observe/health")).body().contains("circuit is OPEN"));
            Answer health = Http.get(gateway.http("/observe/health"));
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.json().get("checks")).filteredOn(c -> c.get("name").asText().equals("transport"))
                    .singleElement().satisfies(check -> assertThat(check.get("status").asText()).isEqualTo("DOWN"));
            Answer ready = Http.get(gateway.http("/observe/health/ready"));
            assertThat(ready.status()).as(ready.body()).isEqualTo(200);
            assertThat(ready.json().get("checks")).noneMatch(c -> c.get("name").asText().equals("transport"));
            assertThat(Http.get(gateway.http("/observe/health/live")).status()).isEqualTo(200);
            // and it accepts: the queue holds the mail until the relay is back
            gateway.submit(MailRequests.minimal());
        }
    }
}
