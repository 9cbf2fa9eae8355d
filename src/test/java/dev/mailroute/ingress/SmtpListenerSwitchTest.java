package dev.mailroute.ingress;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import dev.mailroute.settings.StartupCheckException;
import dev.mailroute.support.GatewayConfig;
import dev.mailroute.support.LogCapture;
import dev.mailroute.support.TestGateway;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Whether the SMTP listener listens is decided by mailroute.smtpd.enabled and the start-up checks
 * that guard it, nowhere else: a route file that starts the route anyway opens no port.
 */
class SmtpListenerSwitchTest {

    @TempDir
    Path data;

    @TempDir
    Path routes;

    /**
     * Off, on all interfaces, without AUTH or a client list: the checks that would refuse this are
     * skipped for a listener that is off, so a route forced to start must not listen either.
     */
    @Test
    void aRouteForcedToStartDoesNotListenWhileTheListenerIsOff() throws Exception {
        copyRoutesForcingTheSmtpRouteToStart();
        GatewayConfig config = TestGateway.on(data).with("mailroute.smtpd.enabled", "false")
                .with("mailroute.smtpd.host", "0.0.0.0")
                .with("camel.main.routesIncludePattern", "file:" + routes + "/*.yaml");
        try (LogCapture log = LogCapture.of("dev.mailroute.ingress.smtp.ListenerOff");
             TestGateway gateway = config.start()) {
            assertThat(gateway.context().getRouteController().getRouteStatus("ingress-smtp"))
                    .isEqualTo(ServiceStatus.Started);
            assertNothingListens(config.smtpdPort());
            await().atMost(Duration.ofSeconds(20)).until(() -> log.text().contains("SMTP listener off"
                    + " (mailroute.smtpd.enabled=false): route ingress-smtp listens on no port"));
        }
    }

    @Test
    void aListenerTheChecksRefuseStopsTheStartBeforeItListens() {
        GatewayConfig config = TestGateway.on(data).with("mailroute.smtpd.host", "0.0.0.0")
                .with("mailroute.smtpd.allowedClients", "0.0.0.0/1, 128.0.0.0/1");
        assertThatThrownBy(config::start).satisfies(failure -> assertThat(causes(failure))
                .anySatisfy(cause -> assertThat(cause).isInstanceOf(StartupCheckException.class)
                        .hasMessageStartingWith("mailroute.smtpd.allowedClients=0.0.0.0/1, 128.0.0.0/1: the SMTP"
                                                + " listener relays for anyone on the internet")));
        assertNothingListens(config.smtpdPort());
    }

    private static Stream<Throwable> causes(Throwable failure) {
        return Stream.iterate(failure, t -> t != null, Throwable::getCause);
    }

    private static void assertNothingListens(int port) {
        assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            }
        }).as("something listens on %d", port).isInstanceOf(ConnectException.class);
    }

    /** This project's routes/, in a folder of the test's own, with {@code autoStartup: true} in ingress-smtp.yaml. */
    private void copyRoutesForcingTheSmtpRouteToStart() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        Path smtp = routes.resolve("ingress-smtp.yaml");
        String route = Files.readString(smtp);
        assertThat(route).contains("    id: ingress-smtp\n");
        Files.writeString(smtp, route.replaceAll("(?m)^ *autoStartup:.*\n", "")
                .replace("    id: ingress-smtp\n", "    id: ingress-smtp\n    autoStartup: true\n"));
    }
}
