package dev.mailroute.routing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The table in force across edits of the routing file: refused ones leave it, good ones replace it. */
class LiveRoutingTableTest {

    @TempDir
    Path dir;

    @Test
    void aFileThatBreaksTheParserIsRefusedAndTheNextGoodEditStillApplies() throws Exception {
        Path file = Files.writeString(dir.resolve("routing.yaml"), "rules:\n  - default: default\n");
        LiveRoutingTable live = new LiveRoutingTable(new RoutingSettings(file, 1000,
                RoutingFile.parse(file, Files.readAllBytes(file), Set.of("default", "bulk"))), Set.of("default", "bulk"));

        Files.writeString(file, "rules:\n  - default: default\n    x: " + "[".repeat(200_000) + "]".repeat(200_000));
        live.check();
        assertThat(live.refusals()).isEqualTo(1);
        assertThat(live.refused()).contains("nested too deeply");
        assertThat(live.current().route("a@example.com", "b@example.com").relay()).isEqualTo("default");
        live.check(); // the same content is not read again, nor counted twice
        assertThat(live.refusals()).isEqualTo(1);

        Files.writeString(file, "rules:\n  - default: bulk\n");
        live.check();
        assertThat(live.applied()).isEqualTo(1);
        assertThat(live.refused()).isNull();
        assertThat(live.current().route("a@example.com", "b@example.com").relay()).isEqualTo("bulk");

        Files.delete(file);
        live.check();
        assertThat(live.refused()).contains("cannot be read");
        assertThat(live.current().route("a@example.com", "b@example.com").relay()).isEqualTo("bulk");
    }
}
