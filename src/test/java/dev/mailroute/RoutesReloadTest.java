package dev.mailroute;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.stream.Stream;

import dev.mailroute.support.MailRequests;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** An operator adds a route file to a running gateway: a second inbox, no Java, no restart. */
class RoutesReloadTest {

    @TempDir
    Path data;

    @TempDir
    Path routes;

    @Test
    void aNewRouteFileIsPickedUpWhileRunning() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        try (TestGateway gateway = TestGateway.on(data)
                .with("camel.main.routesIncludePattern", "file:" + routes + "/*.yaml")
                .with("camel.main.routesReloadEnabled", "true")
                .with("camel.main.routesReloadDirectory", routes.toString())
                .start()) {
            Path secondInbox = Files.createDirectories(data.resolve("second-inbox"));
            String route = Files.readString(routes.resolve("ingress-file.yaml"))
                    .replace("id: ingress-file", "id: ingress-second-inbox")
                    .replace("file:{{mailroute.inbox.dir}}", "file:" + secondInbox);
            // written beside and moved in, as docs/architecture.md advises: one reload, of the whole
            // file. Written in place it made two (create, then write), and the gateway's close met
            // the second one still restarting routes (Camel's stop: ConcurrentModificationException)
            Path written = Files.writeString(data.resolve("ingress-second.yaml"), route);
            Files.move(written, routes.resolve("ingress-second.yaml"), StandardCopyOption.ATOMIC_MOVE);

            // the watcher polls every 2 s, then Camel stops and restarts every route gracefully
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> gateway.context().getRoute("ingress-second-inbox") != null);
            Files.writeString(secondInbox.resolve("hello.json"), MailRequests.json(MailRequests.minimal()));
            gateway.awaitFiles("pickup", 1);
            assertThat(gateway.files("pickup")).hasSize(1);
        }
    }
}
