package dev.mailroute.ingress;

import java.time.Duration;

import dev.mailroute.support.LogCapture;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the forged queue headers did before the contract was closed, seen where it mattered: at a
 * relay that announces DSN and is busy at first. A client's {@code mailrouteDsnNotify} asked the
 * relay for reports, its {@code mailrouteFirstAttempt: 1} made the message "expired" on its first
 * transient failure, its {@code mailrouteAttempts} showed in the events.
 */
class QueueContractDeliveryTest {

    private static ScriptedSmtpServer relay;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        relay = ScriptedSmtpServer.start().advertiseDsn();
        gateway = TestGateway.on(Scratch.folder("mailroute-contract-delivery")).smtp(relay.port()).start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
        relay.close();
    }

    @Test
    void forgedRetryAndDsnHeadersDoNotReachDelivery() {
        relay.reply(ScriptedSmtpServer.Stage.MAIL, "451 4.3.0 busy, try again");
        try (LogCapture events = LogCapture.of("mailroute.events")) {
            String id = gateway.submit(MailRequests.minimal().put("subject", "forged contract"),
                    "mailrouteDsnNotify", "SUCCESS,FAILURE", "mailrouteDsnRet", "FULL",
                    "mailrouteFirstAttempt", "1", "mailrouteAttempts", "77");
            await().atMost(Duration.ofSeconds(30)).until(() -> events.lines().stream()
                    .anyMatch(l -> l.contains("event=deferred id=" + id)));
            relay.reply(ScriptedSmtpServer.Stage.MAIL, null);
            await().atMost(Duration.ofSeconds(30)).until(() -> relay.deliveriesTo("ops@example.com") == 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> events.lines().stream()
                    .anyMatch(l -> l.contains("event=delivered id=" + id)));

            assertThat(events.lines()).filteredOn(l -> l.contains("id=" + id))
                    .anyMatch(l -> l.contains("event=deferred") && l.contains("attempt=1 "))
                    .anyMatch(l -> l.contains("event=delivered") && l.contains("attempt=2 "))
                    .noneMatch(l -> l.contains("event=failed"));
        }
        assertThat(relay.envelopeCommands()).isNotEmpty()
                .noneMatch(line -> line.contains("NOTIFY=") || line.contains("RET="));
        assertThat(gateway.files("failed")).isEmpty();
    }
}
