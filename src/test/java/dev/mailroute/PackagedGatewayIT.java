package dev.mailroute;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.mailroute.support.GatewayProcess;
import dev.mailroute.support.Http;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's run command on what {@code mvn package} built (so it runs after the package phase,
 * under failsafe): bin/mailroute starts the jar with the heap of config/jvm.options and the
 * class-data archive made for it, and it takes and delivers a message.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "the README's run command is bin/mailroute, a POSIX sh script;"
                                                   + " bin\\mailroute.cmd has not run on Windows yet (docs/windows.md)")
class PackagedGatewayIT {

    @TempDir
    Path data;

    @Test
    void theReadmeRunCommandStartsThePackagedGatewayWithItsHeapAndArchive() throws Exception {
        List<String> command = new ArrayList<>(List.of("sh"));
        command.addAll(readmeRunCommand());
        assertThat(command).containsExactly("sh", "bin/mailroute", "run");
        // the launcher runs JAVA_HOME's java: this JVM's. -Xshare:on: the start fails, instead of
        // going on without it, if the archive cannot be used
        Map<String, String> launcher = Map.of("JAVA_HOME", System.getProperty("java.home"),
                "MAILROUTE_JAVA_OPTS", "-Xshare:on");

        try (GatewayProcess gateway = GatewayProcess.run(TestGateway.on(data), command, launcher)) {
            gateway.awaitStarted();
            assertThat(gateway.output()).doesNotContain("shared archive");
            assertThat(jcmd(gateway.pid(), "VM.flags")).as("the heap of config/jvm.options; the launcher's exec"
                                                            + " made the gateway the process it started")
                    .contains("-XX:MaxHeapSize=268435456");
            assertThat(jcmd(gateway.pid(), "VM.command_line")).contains("-XX:SharedArchiveFile=target/mailroute.jsa");

            Http.Answer answer = Http.post(gateway.http("/api/v1/messages"), "application/json",
                    MailRequests.json(MailRequests.minimal()));
            assertThat(answer.status()).as(answer.body()).isEqualTo(202);
            await().until(() -> {
                try (var files = Files.list(data.resolve("pickup"))) {
                    return files.anyMatch(f -> f.toString().endsWith(".eml"));
                }
            });
        }

        // the tools through the same launcher, on the same jar
        ProcessBuilder tool = new ProcessBuilder("sh", "bin/mailroute", "queue", "hold", "--help")
                .redirectErrorStream(true);
        tool.environment().putAll(launcher);
        Process help = tool.start();
        help.getOutputStream().close();
        String output = new String(help.getInputStream().readAllBytes());
        assertThat(help.waitFor()).as(output).isZero();
        assertThat(output).startsWith("Usage: mailroute queue hold (--id ID |");
    }

    private static String jcmd(long pid, String command) throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), command).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes());
        assertThat(jcmd.waitFor()).as(output).isZero();
        return output;
    }

    /** The launcher's command of the README's "build and run" line, word by word. */
    private static List<String> readmeRunCommand() throws Exception {
        Matcher line = Pattern.compile("(?m)^mvn -B package -DskipTests && (bin/mailroute .*)$")
                .matcher(Files.readString(Path.of("README.md")));
        assertThat(line.find()).as("the README's build-and-run command").isTrue();
        return Arrays.asList(line.group(1).trim().split(" +"));
    }
}
