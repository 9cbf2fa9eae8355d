package dev.mailroute.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The gateway as operators run it: its own JVM, started by {@code MailrouteApplication.main} in a
 * working folder with config/ and routes/, configured through environment variables.
 */
public final class GatewayProcess implements AutoCloseable {

    private final Process process;
    private final Path output;
    private final GatewayConfig config;

    private GatewayProcess(Process process, Path output, GatewayConfig config) {
        this.process = process;
        this.output = output;
        this.config = config;
    }

    /** The gateway (or {@code doctor}, with args) in this project's folder, configured through the environment. */
    public static GatewayProcess start(GatewayConfig config, String... args) throws IOException {
        GatewayProcess started = start(Path.of("").toAbsolutePath(), config.environment(), List.of(), testClasspath(),
                args);
        return new GatewayProcess(started.process, started.output, config.copy());
    }

    /**
     * @param prefix command words before {@code java} (e.g. setpriv to run as another user), may be empty
     * @param classpath what the child runs with
     */
    public static GatewayProcess start(Path workDir, Map<String, String> env, List<String> prefix, String classpath,
                                       String... args) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // the JVM options of the documented run command (the heap size, above all)
        command.add("@" + Path.of("config/jvm.options").toAbsolutePath());
        command.add("-cp");
        command.add(classpath);
        command.add("dev.mailroute.MailrouteApplication");
        command.addAll(List.of(args));
        return run(workDir, env, command, null);
    }

    /** A command as an operator types it (the README's), in this project's folder, configured through the environment. */
    public static GatewayProcess run(GatewayConfig config, List<String> command) throws IOException {
        return run(config, command, Map.of());
    }

    /** As {@link #run(GatewayConfig, List)}, with more environment variables (JAVA_HOME for a launcher). */
    public static GatewayProcess run(GatewayConfig config, List<String> command, Map<String, String> more)
            throws IOException {
        Map<String, String> env = new java.util.HashMap<>(config.environment());
        env.putAll(more);
        return run(Path.of("").toAbsolutePath(), env, command, config.copy());
    }

    private static GatewayProcess run(Path workDir, Map<String, String> env, List<String> command, GatewayConfig config)
            throws IOException {
        Path output = Scratch.file("mailroute-process", ".log");
        output.toFile().setReadable(true, false);
        output.toFile().setWritable(true, false);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(env);
        return new GatewayProcess(builder.start(), output, config);
    }

    /** This test JVM's classpath (surefire's manifest jar carries every dependency). */
    public static String testClasspath() {
        return System.getProperty("java.class.path");
    }

    public static List<String> classpathEntries() {
        return List.of(testClasspath().split(File.pathSeparator));
    }

    public long pid() {
        return process.pid();
    }

    public String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A sample off its /observe/metrics (see {@link Metrics#value}); for a process started from a GatewayConfig. */
    public double metric(String sample) {
        return Metrics.value(URI.create("http://127.0.0.1:" + config.get("mailroute.http.port") + "/observe/metrics"),
                sample, config.apiKey());
    }

    public URI http(String path) {
        return URI.create("http://127.0.0.1:" + config.get("mailroute.http.port") + path);
    }

    public void awaitStarted() {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("gateway exited with " + process.exitValue() + ":\n" + output());
            }
            return output().contains("(mailroute) started");
        });
    }

    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("gateway did not exit:\n" + output());
        }
        return process.exitValue();
    }

    /** kill -9: no shutdown hook, no graceful stop. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
