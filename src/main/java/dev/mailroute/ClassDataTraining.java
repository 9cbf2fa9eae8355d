package dev.mailroute;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import dev.mailroute.diagnostics.QueueCommand;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * The training run behind the class-data archive ({@code target/mailroute.jsa}, AppCDS): the
 * package build runs this under {@code -XX:ArchiveClassesAtExit}, and the JVM archives every
 * class it loaded. A gateway on its embedded defaults, in a scratch data folder on free loopback
 * ports, takes one message of each kind it is given — JSON, a batch, a merge, an inbox file, SMTP —
 * delivers them into its pickup folder, is asked about its queue by the {@code queue} command (so
 * that the command-line tools start from the archive too) and stops. With the archive, launch to
 * ready went from about 2.9 s to 1.7 s on the 2-core development machine (docs/performance.md).
 *
 * <p>{@code java -XX:ArchiveClassesAtExit=target/mailroute.jsa -cp target/mailroute.jar
 * dev.mailroute.ClassDataTraining target/cds-training}
 */
public final class ClassDataTraining {

    /** One JSON request, two in a batch, one merge recipient, one inbox file, one by SMTP. */
    private static final int MESSAGES = 6;
    /** The training gateway's admin key: it lives for the run, on loopback. */
    private static final String TRAINING_KEY = "training-admin-key-" + java.util.UUID.randomUUID();

    private ClassDataTraining() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: ClassDataTraining <scratch folder, emptied first>");
            System.exit(2);
        }
        Path dir = Path.of(args[0]).toAbsolutePath();
        deleteTree(dir);
        int httpPort = freePort();
        int smtpdPort = freePort();
        Gateway gateway = new Gateway(Map.of(
                "mailroute.data.dir", dir.toString(),
                "mailroute.transport", "pickup",
                "mailroute.http.port", Integer.toString(httpPort),
                "mailroute.broker.port", Integer.toString(freePort()),
                "mailroute.smtpd.port", Integer.toString(smtpdPort),
                "mailroute.inbox.minAge", "0",
                "mailroute.admin.keys", "training:" + TRAINING_KEY,
                "camel.main.routesReloadEnabled", "false"));
        try {
            gateway.start();
            submit(httpPort, smtpdPort, dir.resolve("inbox"));
            awaitPickup(dir.resolve("pickup"), MESSAGES);
            askTheQueue("http://127.0.0.1:" + httpPort);
        } finally {
            gateway.close();
        }
        deleteTree(dir);
        System.exit(0); // the broker's and Vert.x' last threads must not delay the archive's dump
    }

    private static void submit(int httpPort, int smtpdPort, Path inbox) throws Exception {
        String message = """
                {"from": "training@example.com", "to": "%s", "subject": "training", "text": "text", "html": "<p>html</p>"}""";
        HttpClient http = HttpClient.newHttpClient();
        post(http, httpPort, "/api/v1/messages", message.formatted("one@example.com"));
        post(http, httpPort, "/api/v1/messages/batch",
                "[" + message.formatted("two@example.com") + "," + message.formatted("three@example.com") + "]");
        post(http, httpPort, "/api/v1/messages/merge", """
                {"from": "training@example.com", "subject": "hello {{name}}", "text": "dear {{name}}",
                 "recipients": [{"to": "four@example.com", "variables": {"name": "Four"}}]}""");
        Files.writeString(inbox.resolve("training.json"), message.formatted("five@example.com"));

        Properties properties = new Properties();
        properties.setProperty("mail.smtp.host", "127.0.0.1");
        properties.setProperty("mail.smtp.port", Integer.toString(smtpdPort));
        MimeMessage smtp = new MimeMessage(Session.getInstance(properties));
        smtp.setFrom(new InternetAddress("training@example.com"));
        smtp.setRecipient(Message.RecipientType.TO, new InternetAddress("six@example.com"));
        smtp.setSubject("training");
        smtp.setText("text");
        Transport.send(smtp);
    }

    /** The queue command's common questions, as an operator asks them, their output dropped. */
    private static void askTheQueue(String url) {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        for (String[] question : List.of(new String[] {"summary"}, new String[] {"ls", "--state", "queued"},
                new String[] {"ls", "--from", "training@example.com", "--json"},
                new String[] {"hold", "--from", "training@example.com", "--dry-run"})) {
            String[] args = Stream.concat(Stream.of(question), Stream.of("--url", url)).toArray(String[]::new);
            // 0: something listed or matched, 1: nothing did (the messages are delivered); 2 is a failure
            int code = QueueCommand.run(args, nowhere, nowhere, Map.of(),
                    name -> name.equals("MAILROUTE_ADMIN_KEY") ? TRAINING_KEY : null);
            if (code > 1) {
                throw new IllegalStateException("queue " + String.join(" ", question) + " exited with " + code);
            }
        }
    }

    private static void post(HttpClient http, int port, String path, String json) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() / 100 != 2) {
            throw new IllegalStateException("POST " + path + " answered " + answer.statusCode() + ": " + answer.body());
        }
    }

    private static void awaitPickup(Path pickup, int count) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (emlFiles(pickup) < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + emlFiles(pickup) + " of " + count + " messages in " + pickup);
            }
            Thread.sleep(20);
        }
    }

    private static long emlFiles(Path pickup) throws IOException {
        if (!Files.isDirectory(pickup)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(pickup)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".eml")).count();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
