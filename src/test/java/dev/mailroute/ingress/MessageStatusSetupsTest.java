package dev.mailroute.ingress;

import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailroute.support.Http;
import dev.mailroute.support.Http.Answer;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.ScriptedSmtpServer.Stage;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.mailroute.ingress.MessageStatusTest.awaitState;
import static dev.mailroute.ingress.MessageStatusTest.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The status API in other setups: through an SMTP relay that defers first, open sending, the ledger off. */
class MessageStatusSetupsTest {

    private static final String ADMIN = "Bearer admin-key-0123456789";

    @TempDir
    Path data;

    @Test
    void theRelaysOwnAnswersShowWithTheDeferralsCounted() {
        try (ScriptedSmtpServer relay = ScriptedSmtpServer.start().reply(Stage.END_OF_DATA, "451 4.3.0 try again later");
             TestGateway gateway = TestGateway.on(data).smtp(relay.port())
                     .with("mailroute.admin.keys", "ops:admin-key-0123456789").start()) {
            String id = gateway.submit(MailRequests.minimal());
            String path = "/api/v1/messages/" + id;

            JsonNode[] deferred = new JsonNode[1];
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                deferred[0] = get(gateway, path, ADMIN).json().path("recipients").path(0);
                return deferred[0].path("deferrals").path(0).path("count").asInt() >= 2;
            });
            assertThat(deferred[0].get("state").asText()).isEqualTo("deferred");
            assertThat(deferred[0].get("replyCode").asInt()).isEqualTo(451);
            assertThat(deferred[0].get("deferrals")).hasSize(1);
            assertThat(deferred[0].get("deferrals").get(0).get("reply").asText())
                    .isEqualTo("451 4.3.0 try again later");

            relay.reply(Stage.END_OF_DATA, "250 2.0.0 Ok: queued as 7F3A");
            JsonNode message = awaitState(gateway, path, ADMIN, "delivered");
            JsonNode recipient = message.get("recipients").get(0);
            assertThat(recipient.get("replyCode").asInt()).isEqualTo(250);
            assertThat(recipient.get("replyStatus").asText()).isEqualTo("2.0.0");
            assertThat(recipient.get("replyText").asText()).contains("Ok: queued as 7F3A");
            int attempts = recipient.get("attempts").asInt();
            assertThat(attempts).isGreaterThanOrEqualTo(3);
            assertThat(recipient.get("deferrals").get(0).get("count").asInt()).isEqualTo(attempts - 1);
            assertThat(message.get("submitter").asText()).isEqualTo("http from 127.0.0.1");

            JsonNode history = get(gateway, path + "?expand=attempts", ADMIN).json()
                    .get("recipients").get(0).get("history");
            assertThat(history).hasSize(attempts);
            assertThat(history.get(0).get("outcome").asText()).isEqualTo("deferred");
            assertThat(history.get(0).get("relay").asText()).isEqualTo("127.0.0.1:" + relay.port());
            assertThat(history.get(0).get("transport").asText()).isEqualTo("smtp");
            JsonNode last = history.get(attempts - 1);
            assertThat(last.get("attempt").asInt()).isEqualTo(attempts);
            assertThat(last.get("outcome").asText()).isEqualTo("delivered");
            assertThat(last.get("replyText").asText()).contains("Ok: queued as 7F3A");
        }
    }

    @Test
    void readingIsNeverOpenEvenWhereSendingIs() {
        try (TestGateway gateway = TestGateway.on(data).start()) {
            String id = gateway.submit(MailRequests.minimal());
            for (String path : new String[]{"/api/v1/messages", "/api/v1/messages/" + id}) {
                Answer answer = Http.get(gateway.http(path));
                assertThat(answer.status()).as(path).isEqualTo(401);
                assertThat(answer.json().get("detail").asText())
                        .startsWith("reading messages needs a key, and none is set: set mailroute.admin.keys");
            }
        }
    }

    @Test
    void withTheLedgerOffThereIsNothingToShow() {
        try (TestGateway gateway = TestGateway.on(data).with("mailroute.ledger.enabled", "false")
                .with("mailroute.admin.keys", "ops:admin-key-0123456789").start()) {
            String id = gateway.submit(MailRequests.minimal());
            for (String path : new String[]{"/api/v1/messages", "/api/v1/messages/" + id}) {
                Answer answer = get(gateway, path, ADMIN);
                assertThat(answer.status()).as(path).isEqualTo(404);
                assertThat(answer.json().get("type").asText()).isEqualTo("urn:mailroute:problem:ledger-off");
                assertThat(answer.json().get("detail").asText()).contains("mailroute.ledger.enabled=false");
            }
        }
    }

    @Test
    void aBadKeyNameStopsTheStartNamingTheEntryNotTheKey() {
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> TestGateway.on(data)
                        .with("mailroute.api.keys", "good:k-1, bad name:secret-key-99").start()))
                .hasStackTraceContaining("mailroute.api.keys entry 2: the name before ':' must be 1 to 64 of")
                .satisfies(e -> assertThat(stackTrace(e)).doesNotContain("secret-key-99"));
    }

    private static String stackTrace(Throwable e) {
        java.io.StringWriter out = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }
}
