package dev.mailroute;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.mailroute.support.GatewayConfig;
import dev.mailroute.support.GatewayProcess;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The gateway in its own JVM, configured only through the environment. */
class GatewayProcessTest {

    @TempDir
    Path data;

    @Test
    void environmentVariablesOverrideTheConfigurationFile() throws Exception {
        GatewayConfig config = TestGateway.on(data).with("mailroute.pickup.format", "headers")
                .with("mailroute.message.maxBytes", "2KB");
        assertThat(config.environment()).containsEntry("MAILROUTE_PICKUP_FORMAT", "headers")
                .containsEntry("MAILROUTE_MESSAGE_MAXBYTES", "2KB");
        try (GatewayProcess gateway = GatewayProcess.start(config)) {
            gateway.awaitStarted();
            Path inbox = data.resolve("inbox");
            Files.writeString(inbox.resolve(".small.tmp"), MailRequests.json(MailRequests.minimal()));
            Files.move(inbox.resolve(".small.tmp"), inbox.resolve("small.json"));
            Files.writeString(inbox.resolve(".big.tmp"),
                    MailRequests.json(MailRequests.minimal().put("text", "x".repeat(3000))));
            Files.move(inbox.resolve(".big.tmp"), inbox.resolve("big.json"));

            await().until(() -> Files.exists(data.resolve("rejected").resolve("big.json.error.txt")));
            assertThat(Files.readString(data.resolve("rejected").resolve("big.json.error.txt")))
                    .contains("the limit is 2000 bytes (mailroute.message.maxBytes)");
            await().until(() -> listing(data.resolve("pickup")).size() == 1);
            String eml = Files.readString(data.resolve("pickup").resolve(listing(data.resolve("pickup")).get(0)));
            assertThat(eml).as("headers format, from MAILROUTE_PICKUP_FORMAT").startsWith("Date: ");
        }
    }

    @Test
    void aPathThatCannotBeAFolderStopsTheStartWithOneLine() throws Exception {
        Path notAFolder = Files.writeString(data.resolve("pickup-is-a-file"), "x");
        try (GatewayProcess gateway = GatewayProcess.start(TestGateway.on(data)
                .with("mailroute.pickup.dir", notAFolder.toString()))) {
            assertThat(gateway.awaitExit()).isEqualTo(2);
            assertThat(gateway.output()).contains("mailroute: cannot start: pickup folder " + notAFolder
                                                  + " is not usable by user " + System.getProperty("user.name")
                                                  + ": it exists but is not a folder. Fix: move that file away,"
                                                  + " or set mailroute.pickup.dir to another folder.");
            assertThat(gateway.output()).as("no stack trace").doesNotContain("\tat ");
        }
    }

    private static List<String> listing(Path folder) throws Exception {
        try (var files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList();
        }
    }
}
