package dev.mailroute;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The README's one-minute walkthrough, as a new user types it: examples/hello.json, then a bad request. */
class WalkthroughTest {

    @TempDir
    Path data;

    @Test
    void helloJsonBecomesAPickupFileAndABadRequestIsExplained() throws Exception {
        try (TestGateway gateway = TestGateway.on(data).with("mailroute.inbox.minAge", "1000").start()) {
            // cp examples/hello.json data/inbox/
            Files.copy(Path.of("examples", "hello.json"), gateway.folder("inbox").resolve("hello.json"));
            Path eml = gateway.awaitFiles("pickup", 1).get(0);
            List<String> lines = Arrays.asList(Files.readString(eml, StandardCharsets.US_ASCII).split("\r\n"));
            assertThat(lines.subList(0, 3)).containsExactly("X-Sender: alerts@example.com",
                    "X-Receiver: ops@example.com", "X-Receiver: audit@example.com");
            assertThat(lines).contains("From: Alerts <alerts@example.com>", "To: ops@example.com",
                    "Subject: Hello from mailroute", "MIME-Version: 1.0", "X-Ticket: 42", "X-Priority: 1 (Highest)");
            assertThat(lines).noneMatch(l -> l.startsWith("Bcc:"));
            assertThat(lines).anyMatch(l -> l.startsWith("Content-Type: multipart/alternative;"));
            gateway.awaitInboxEmpty();

            // echo '{"from": "me", "to": []}' > data/inbox/bad.json
            Files.writeString(gateway.folder("inbox").resolve("bad.json"), "{\"from\": \"me\", \"to\": []}\n");
            Path reason = gateway.folder("rejected").resolve("bad.json.error.txt");
            await().until(() -> Files.exists(reason));
            assertThat(Files.readString(reason)).matches("(?s)mailroute rejected bad\\.json \\(ingress file\\) at \\S+\n"
                    + "2 problems:\n"
                    + "- from: 'me' is not a valid address \\(Missing final '@domain'\\)\n"
                    + "- to: no recipients; give at least one address in to, cc or bcc\n"
                    + "Fix the request and drop it into the inbox again\\.\n");
        }
    }
}
