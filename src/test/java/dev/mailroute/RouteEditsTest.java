package dev.mailroute;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.mailroute.support.LogCapture;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.TestGateway;
import org.apache.camel.Route;
import org.apache.camel.support.service.ServiceHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The route files are a public interface: an operator may rename a route, change its throttle or
 * add a step, and the gateway still does everything it did — the relay's circuit breaker included,
 * which finds the routes it pauses by their route policy, not by their id. The shipped files name
 * no Java class: kinds of failure are words (RouteVocabulary), beans are names.
 */
class RouteEditsTest {

    @TempDir
    Path data;

    @TempDir
    Path routes;

    @Test
    void theShippedRoutesNameNoJavaClass() throws Exception {
        Pattern java = Pattern.compile("dev\\.mailroute|java\\.lang|org\\.apache|#class:");
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                assertThat(java.matcher(Files.readString(file)).find()).as("%s names a Java class", file).isFalse();
            }
        }
    }

    @Test
    void renamedRoutesAnEditedThrottleAndAnAddedStepStillDeliverAndStillPauseForARelayThatIsDown() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        edit("deliver.yaml", "id: deliver\n", "id: deliver-to-relay\n");
        edit("deliver.yaml", "timePeriodMillis: \"{{mailroute.throttle.period}}\"", "timePeriodMillis: 1000");
        edit("ingress-http.yaml", "id: ingress-http\n", "id: applications-over-http\n");
        edit("ingress-http.yaml", "            method: http\n", "            method: http\n"
                + "        - log:\n"
                + "            message: \"an operator's own step\"\n");

        try (ScriptedSmtpServer relay = ScriptedSmtpServer.start();
             LogCapture log = LogCapture.of("dev.mailroute.delivery.smtp.RelayCircuit");
             LogCapture steps = LogCapture.of("applications-over-http");
             TestGateway gateway = TestGateway.on(data).smtp(relay.port())
                     .with("camel.main.routesIncludePattern", "file:" + routes + "/*.yaml")
                     .with("mailroute.circuit.failures", "1")
                     .with("mailroute.circuit.probeInterval", "500ms")
                     .start()) {
            relay.reply(ScriptedSmtpServer.Stage.GREETING, "421 4.3.2 down for maintenance");
            gateway.submit(MailRequests.minimal().put("subject", "through edited routes"));

            Route deliver = gateway.context().getRoute("deliver-to-relay");
            await().atMost(Duration.ofSeconds(30)).until(() -> ServiceHelper.isSuspended(deliver.getConsumer()));
            assertThat(log.text()).contains("relay circuit OPEN");
            assertThat(steps.text()).contains("an operator's own step");

            relay.reply(ScriptedSmtpServer.Stage.GREETING, null);
            await().atMost(Duration.ofSeconds(30)).until(() -> relay.deliveriesTo("ops@example.com") == 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> !ServiceHelper.isSuspended(deliver.getConsumer()));
        }
    }

    private void edit(String file, String from, String to) throws Exception {
        Path path = routes.resolve(file);
        String text = Files.readString(path);
        assertThat(text).as("%s has %s", file, from).contains(from);
        Files.writeString(path, text.replace(from, to));
    }
}
