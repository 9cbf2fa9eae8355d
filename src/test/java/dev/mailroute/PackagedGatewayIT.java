package dev.mailroute;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.mailroute.support.GatewayProcess;
import dev.mailroute.support.Http;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's run command on what {@code mvn package} built (so it runs after the package phase,
 * under failsafe): the jar starts with the heap of config/jvm.options and maps the class-data
 * archive made for it, and takes and delivers a message.
 */
class PackagedGatewayIT {

    @TempDir
    Path data;

    @Test
    void theReadmeRunCommandStartsThePackagedGatewayWithItsHeapAndArchive() throws Exception {
        List<String> command = new ArrayList<>(readmeRunCommand());
        assertThat(command.get(0)).isEqualTo("java");
        command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // -Xshare:on: the start fails, instead of going on without it, if the archive cannot be used
        command.add(1, "-Xshare:on");

        try (GatewayProcess gateway = GatewayProcess.run(TestGateway.on(data), command)) {
            gateway.awaitStarted();
            assertThat(gateway.output()).doesNotContain("shared archive");
            assertThat(jcmd(gateway.pid(), "VM.flags")).as("the heap of config/jvm.options")
                    .contains("-XX:MaxHeapSize=268435456");

            Http.Answer answer = Http.post(gateway.http("/api/v1/messages"), "application/json",
                    MailRequests.json(MailRequests.minimal()));
            assertThat(answer.status()).as(answer.body()).isEqualTo(202);
            await().until(() -> {
                try (var files = Files.list(data.resolve("pickup"))) {
                    return files.anyMatch(f -> f.toString().endsWith(".eml"));
                }
            });
        }
    }

    private static String jcmd(long pid, String command) throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), command).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes());
        assertThat(jcmd.waitFor()).as(output).isZero();
        return output;
    }

    /** The java command of the README's "build and run" line, word by word. */
    private static List<String> readmeRunCommand() throws Exception {
        Matcher line = Pattern.compile("(?m)^mvn -B package -DskipTests && (java .*)$")
                .matcher(Files.readString(Path.of("README.md")));
        assertThat(line.find()).as("the README's build-and-run command").isTrue();
        return Arrays.asList(line.group(1).trim().split(" +"));
    }
}
