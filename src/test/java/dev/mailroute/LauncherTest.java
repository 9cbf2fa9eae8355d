package dev.mailroute;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/mailroute, run by {@code sh} as a real process from a copy of the install folder, with a
 * stand-in for java (JAVA_CMD) that prints the folder it runs in and the arguments it got, one a
 * line: what {@code run} and the tools start, and from where. That the real jar starts through it
 * is PackagedGatewayIT's part (it runs the README's run command).
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "bin/mailroute is a POSIX sh script; bin\\mailroute.cmd has not"
                                                   + " run on Windows yet (docs/windows.md)")
class LauncherTest {

    @TempDir
    Path install;

    @TempDir
    Path elsewhere;

    private Path java;
    private String output;
    private String errors;

    @BeforeEach
    void installCopy() throws IOException {
        Files.createDirectories(install.resolve("bin"));
        Files.copy(Path.of("bin/mailroute"), install.resolve("bin/mailroute"));
        Files.createDirectories(install.resolve("target"));
        Files.writeString(install.resolve("target/mailroute.jar"), "");
        Files.createDirectories(install.resolve("config"));
        Files.writeString(install.resolve("config/jvm.options"), "-Xmx256m\n");
        java = elsewhere.resolve("java stand-in");
        Files.writeString(java, "#!/bin/sh\npwd -P\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void runStartsTheJarWithTheJvmOptionsAndTheArchiveInTheInstallFolder() throws Exception {
        Files.writeString(install.resolve("target/mailroute.jsa"), "");
        assertThat(mailroute(Map.of("MAILROUTE_JAVA_OPTS", "-Xshare:on -Dmailroute.x=*"), "run")).isZero();
        assertThat(output.lines()).containsExactly(install.toRealPath().toString(), "@config/jvm.options",
                "-XX:SharedArchiveFile=target/mailroute.jsa", "-Xshare:on", "-Dmailroute.x=*", "-jar",
                "target/mailroute.jar");

        // through a link to the script (/usr/local/bin/mailroute), the same folder
        Path link = Files.createSymbolicLink(elsewhere.resolve("mailroute"), install.resolve("bin/mailroute"));
        Files.delete(install.resolve("target/mailroute.jsa"));
        assertThat(run(link, Map.of(), "run")).isZero();
        assertThat(output.lines()).as("no archive: none named").containsExactly(install.toRealPath().toString(),
                "@config/jvm.options", "-jar", "target/mailroute.jar");
    }

    @Test
    void theToolsGetTheirArgumentsAsTyped() throws Exception {
        Files.writeString(install.resolve("target/mailroute.jsa"), "");
        assertThat(mailroute(Map.of(), "queue", "hold", "--from", "a b@example.com", "--since", "*", "$HOME",
                "")).isZero();
        // the archive, its messages off (they would be printed among the tool's output), the first compiler only
        assertThat(output.lines()).containsExactly(install.toRealPath().toString(), "@config/jvm.options",
                "-XX:SharedArchiveFile=target/mailroute.jsa", "-Xlog:cds=off", "-Xlog:cds+dynamic=off",
                "-XX:TieredStopAtLevel=1", "-jar", "target/mailroute.jar", "queue", "hold", "--from", "a b@example.com",
                "--since", "*", "$HOME", "");
        assertThat(mailroute(Map.of(), "doctor", "-v")).isZero();
        assertThat(output.lines()).endsWith("target/mailroute.jar", "doctor", "-v");
        assertThat(mailroute(Map.of(), "track", "--to", "ops@example.net")).isZero();
        assertThat(output.lines()).endsWith("target/mailroute.jar", "track", "--to", "ops@example.net");
        Files.delete(install.resolve("target/mailroute.jsa"));
        assertThat(mailroute(Map.of(), "queue", "ls")).isZero();
        assertThat(output.lines()).as("no archive: none named").containsExactly(install.toRealPath().toString(),
                "@config/jvm.options", "-XX:TieredStopAtLevel=1", "-jar", "target/mailroute.jar", "queue", "ls");
    }

    @Test
    void anInstalledCopyHasItsJarBesideConfig() throws Exception {
        Files.move(install.resolve("target/mailroute.jar"), install.resolve("mailroute.jar"));
        Files.writeString(install.resolve("mailroute.jsa"), "");
        assertThat(mailroute(Map.of(), "run")).isZero();
        assertThat(output.lines()).containsExactly(install.toRealPath().toString(), "@config/jvm.options",
                "-XX:SharedArchiveFile=mailroute.jsa", "-jar", "mailroute.jar");
    }

    @Test
    void javaComesFromJavaHomeWithoutJavaCmd() throws Exception {
        Path home = Files.createDirectories(elsewhere.resolve("jdk/bin"));
        Files.copy(java, home.resolve("java"));
        Files.setPosixFilePermissions(home.resolve("java"), PosixFilePermissions.fromString("rwxr-xr-x"));
        java = null;
        assertThat(mailroute(Map.of("JAVA_HOME", home.getParent().toString()), "queue", "summary")).isZero();
        assertThat(output.lines()).endsWith("queue", "summary");
    }

    @Test
    void aWrongCommandLineIsTwoWithTheFix() throws Exception {
        assertThat(mailroute(Map.of(), "--help")).isZero();
        assertThat(output).startsWith("usage: mailroute run").contains("mailroute queue VERB");
        assertThat(mailroute(Map.of())).isEqualTo(2);
        assertThat(errors).startsWith("usage: mailroute run");
        assertThat(mailroute(Map.of(), "start\u001b[2J")).isEqualTo(2);
        assertThat(errors).startsWith("mailroute: 'start[2J' is not a command. Fix: one of run, doctor");
        assertThat(mailroute(Map.of(), "run", "--port", "25")).isEqualTo(2);
        assertThat(errors).startsWith("mailroute: run takes no arguments. Fix:");
        Files.delete(install.resolve("target/mailroute.jar"));
        assertThat(mailroute(Map.of(), "queue", "summary")).isEqualTo(2);
        assertThat(errors.strip()).isEqualTo("mailroute: no target/mailroute.jar in " + install.toRealPath()
                                             + ". Fix: build it there: mvn -B package -DskipTests");
        assertThat(output).as("java was not started").isEmpty();
    }

    /** cmd.exe misreads labels and GOTO targets in a batch file with bare LF line ends; .gitattributes keeps CRLF. */
    @Test
    void theWindowsLauncherEndsEveryLineWithCrLf() throws IOException {
        String cmd = Files.readString(Path.of("bin/mailroute.cmd"), StandardCharsets.US_ASCII);
        assertThat(cmd).endsWith("\r\n");
        assertThat(cmd.replace("\r\n", "")).as("no LF without its CR, no CR without its LF").doesNotContain("\n", "\r");
    }

    private int mailroute(Map<String, String> env, String... args) throws Exception {
        return run(install.resolve("bin/mailroute"), env, args);
    }

    /** sh SCRIPT ARGS in another folder than the install folder, with the stand-in as java. */
    private int run(Path script, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(elsewhere.toFile());
        builder.environment().keySet().removeAll(List.of("JAVA_CMD", "JAVA_HOME", "MAILROUTE_JAVA_OPTS"));
        if (java != null) {
            builder.environment().put("JAVA_CMD", java.toString());
        }
        builder.environment().putAll(env);
        Path out = Files.createTempFile(elsewhere, "out", ".txt");
        Path err = Files.createTempFile(elsewhere, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the launcher ended").isTrue();
        output = Files.readString(out, StandardCharsets.UTF_8);
        errors = Files.readString(err, StandardCharsets.UTF_8);
        return process.exitValue();
    }
}
