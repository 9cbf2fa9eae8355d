import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.SocketFactory;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * The benchmark's clients (bench/run.sh runs them): plain Jakarta Mail against the sink, the
 * submissions to mailroute, and the bare write-and-rename loop. Every Java client gets the same
 * warm-up before it is timed. Only ever targets 127.0.0.1.
 *
 * java -cp target/mailroute.jar bench/Bench.java jakarta PORT THREADS COUNT SIZE reuse|connect WARMUP
 * java -cp target/mailroute.jar bench/Bench.java http PORT COUNT SIZE BATCH [CLIENTS]   (prints when it began, epoch ms)
 * java -cp target/mailroute.jar bench/Bench.java inbox DIR COUNT SIZE [AHEAD_MS]  (prints when it began, epoch ms;
 *      with AHEAD_MS, every file is written first, outside DIR, and renamed in once it is that old)
 * java -cp target/mailroute.jar bench/Bench.java writerename DIR COUNT SIZE FSYNC WARMUP
 * java -cp target/mailroute.jar bench/Bench.java pipelining PORT COUNT SIZE on|off WARMUP   (one SMTP session)
 * java -cp target/mailroute.jar bench/Bench.java merge PORT RECIPIENTS SIZE ATTACHMENT   (prints when it began, epoch ms,
 *      then how long the request took to be answered, ms)
 */
public class Bench {

    private static final String HOST = "127.0.0.1";

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "jakarta" -> jakarta(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), args[5].equals("reuse"), Integer.parseInt(args[6]));
            case "http" -> http(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), args.length > 5 ? Integer.parseInt(args[5]) : 1);
            case "inbox" -> inbox(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    args.length > 4 ? Long.parseLong(args[4]) : -1);
            case "writerename" -> writeRename(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Boolean.parseBoolean(args[4]), Integer.parseInt(args[5]));
            case "merge" -> merge(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]));
            case "pipelining" -> pipelining(Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                    Integer.parseInt(args[3]), args[4].equals("on"), Integer.parseInt(args[5]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /** A body of about size bytes in 7-bit lines, the same for every client. */
    static String body(int size) {
        StringBuilder text = new StringBuilder(size + 80);
        while (text.length() < size) {
            text.append("mailroute benchmark line, the quick brown fox jumps over the lazy dog 0123456789\r\n");
        }
        return text.substring(0, size);
    }

    static void jakarta(int port, int threads, int count, int size, boolean reuse, int warmup) throws Exception {
        Properties props = new Properties();
        props.put("mail.smtp.host", HOST);
        props.put("mail.smtp.port", Integer.toString(port));
        props.put("mail.smtp.socketFactory", new NoDelay());
        Session session = Session.getInstance(props);
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("bench@example.com"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("sink@example.com"));
        message.setSubject("benchmark");
        message.setText(body(size));
        message.saveChanges();
        run(session, message, threads, warmup, reuse);
        long start = System.nanoTime();
        run(session, message, threads, count, reuse);
        report(count, start);
    }

    private static void run(Session session, MimeMessage message, int threads, int count, boolean reuse)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger left = new AtomicInteger(count);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                Transport transport = null;
                while (left.getAndDecrement() > 0) {
                    if (transport == null) {
                        transport = session.getTransport("smtp");
                        transport.connect();
                    }
                    transport.sendMessage(message, message.getAllRecipients());
                    if (!reuse) {
                        transport.close();
                        transport = null;
                    }
                }
                if (transport != null) {
                    transport.close();
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Batches of that many messages, posted by that many clients at once (as smtp-source's sessions);
     * from bench@example.com, or the sender in BENCH_FROM (the queue section's runaway application).
     */
    static void http(int port, int count, int size, int batch, int clients) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String from = System.getenv().getOrDefault("BENCH_FROM", "bench@example.com");
        String item = "{\"from\":" + quote(from) + ",\"to\":\"sink@example.com\",\"subject\":\"benchmark\",\"text\":"
                      + quote(body(size)) + "}";
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> done = new ArrayList<>();
        System.out.println(System.currentTimeMillis()); // the first submission
        for (int c = 0; c < clients; c++) {
            done.add(pool.submit(() -> {
                for (int sent = next.getAndAdd(batch); sent < count; sent = next.getAndAdd(batch)) {
                    int n = Math.min(batch, count - sent);
                    String body = "[" + String.join(",", java.util.Collections.nCopies(n, item)) + "]";
                    HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("http://" + HOST + ":"
                                    + port + "/api/v1/messages/batch"))
                            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    if (answer.statusCode() != 200 || !answer.body().contains("\"queued\":" + n)) {
                        throw new IllegalStateException("batch not queued: " + answer.statusCode() + " "
                                + answer.body().substring(0, Math.min(300, answer.body().length())));
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
    }

    /**
     * One merge request: a template of about size bytes (one variable) for that many recipients,
     * with an attachment of that many bytes (0: none) that every message carries.
     */
    static void merge(int port, int recipients, int size, int attachment) throws Exception {
        StringBuilder json = new StringBuilder("{\"from\":\"bench@example.com\",\"subject\":\"merge {{n}}\",\"text\":")
                .append(quote("Dear {{n}},\r\n" + body(size))).append(",\"recipients\":[");
        for (int i = 0; i < recipients; i++) {
            json.append(i == 0 ? "" : ",").append("{\"to\":\"sink@example.com\",\"variables\":{\"n\":\"").append(i)
                    .append("\"}}");
        }
        json.append("]");
        if (attachment > 0) {
            byte[] file = new byte[attachment];
            new java.util.Random(1).nextBytes(file);
            json.append(",\"attachments\":[{\"filename\":\"file.bin\",\"content\":\"")
                    .append(java.util.Base64.getEncoder().encodeToString(file)).append("\"}]");
        }
        json.append("}");
        HttpClient client = HttpClient.newBuilder().build();
        long start = System.currentTimeMillis();
        System.out.println(start);
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + port
                                                                                    + "/api/v1/messages/merge"))
                .timeout(java.time.Duration.ofMinutes(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200 || !answer.body().contains("\"queued\":" + recipients)) {
            throw new IllegalStateException("merge not queued: " + answer.statusCode() + " "
                                            + answer.body().substring(0, Math.min(300, answer.body().length())));
        }
        System.out.println(System.currentTimeMillis() - start);
    }

    /**
     * Files renamed into the inbox, the way docs/submitting.md recommends. Written as it goes (one
     * writer, {@code aheadMillis} < 0), or all written first beside the inbox and renamed in once the
     * newest is {@code aheadMillis} old: an application that writes ahead, whose files have rested
     * for mailroute.inbox.minAge when they arrive, and a writer that takes no CPU while it is timed.
     */
    static void inbox(Path inbox, int count, int size, long aheadMillis) throws Exception {
        byte[] item = ("{\"from\":\"bench@example.com\",\"to\":\"sink@example.com\",\"subject\":\"benchmark\",\"text\":"
                       + quote(body(size)) + "}").getBytes(StandardCharsets.UTF_8);
        Path staging = aheadMillis < 0 ? inbox : Files.createDirectories(inbox.resolveSibling("bench-staging"));
        if (aheadMillis >= 0) {
            for (int i = 0; i < count; i++) {
                Files.write(staging.resolve(".bench-" + i + ".tmp"), item);
            }
            Thread.sleep(aheadMillis);
        }
        System.out.println(System.currentTimeMillis()); // the first submission
        for (int i = 0; i < count; i++) {
            Path part = staging.resolve(".bench-" + i + ".tmp");
            if (aheadMillis < 0) {
                Files.write(part, item);
            }
            Files.move(part, inbox.resolve("bench-" + i + ".json"), StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** What the pickup transport does for each message, and nothing else. */
    static void writeRename(Path dir, int count, int size, boolean fsync, int warmup) throws IOException {
        byte[] bytes = body(size).getBytes(StandardCharsets.US_ASCII);
        writeRenameLoop(dir, warmup, bytes, fsync);
        long start = System.nanoTime();
        writeRenameLoop(dir, count, bytes, fsync);
        report(count, start);
    }

    private static void writeRenameLoop(Path dir, int count, byte[] bytes, boolean fsync) throws IOException {
        for (int i = 0; i < count; i++) {
            String name = UUID.randomUUID() + ".eml";
            Path part = dir.resolve("." + name + ".part");
            try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                out.write(ByteBuffer.wrap(bytes));
                if (fsync) {
                    out.force(true);
                }
            }
            Files.move(part, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            if (fsync) {
                try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
                    directory.force(true);
                }
            }
        }
    }

    /**
     * What not pipelining costs an SMTP client: messages over one session to mailroute's listener,
     * the client waiting for each reply (Jakarta Mail, smtp-source) or sending MAIL, RCPT and DATA
     * at once (RFC 2920, as Postfix's smtp client and swaks --pipeline do). Counts 250s, not
     * deliveries: the listener is what differs.
     */
    static void pipelining(int port, int count, int size, boolean pipelined, int warmup) throws IOException {
        byte[] envelope = "MAIL FROM:<bench@example.com>\r\nRCPT TO:<sink@example.com>\r\nDATA\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        byte[] message = ("From: bench@example.com\r\nTo: sink@example.com\r\nSubject: pipelining\r\n\r\n"
                          + body(size) + "\r\n.\r\n").getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket(HOST, port)) {
            socket.setTcpNoDelay(true);
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            var out = socket.getOutputStream();
            reply(in, "220");
            out.write("EHLO bench.example.com\r\n".getBytes(StandardCharsets.US_ASCII));
            reply(in, "250");
            long start = 0;
            for (int i = 0; i < warmup + count; i++) {
                if (i == warmup) {
                    start = System.nanoTime();
                }
                if (pipelined) {
                    out.write(envelope);
                    reply(in, "250");
                    reply(in, "250");
                } else {
                    for (String line : new String(envelope, StandardCharsets.US_ASCII).split("(?<=\r\n)")) {
                        out.write(line.getBytes(StandardCharsets.US_ASCII));
                        if (!line.startsWith("DATA")) {
                            reply(in, "250");
                        }
                    }
                }
                reply(in, "354");
                out.write(message);
                reply(in, "250");
            }
            report(count, start);
        }
    }

    /** Reads one (possibly multi-line) reply and insists on its code. */
    private static void reply(java.io.BufferedReader in, String code) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null || !line.startsWith(code)) {
                throw new IOException("expected " + code + ", got " + line);
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
    }

    private static void report(int count, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        System.out.printf("%.1f%n", count / seconds);
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\r", "\\r").replace("\n", "\\n") + "\"";
    }

    /** TCP_NODELAY, as mailroute's own sockets. */
    static final class NoDelay extends SocketFactory {
        private final SocketFactory plain = SocketFactory.getDefault();

        @Override
        public Socket createSocket() throws IOException {
            Socket s = plain.createSocket();
            s.setTcpNoDelay(true);
            return s;
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            Socket s = plain.createSocket(host, port);
            s.setTcpNoDelay(true);
            return s;
        }

        @Override
        public Socket createSocket(String h, int p, java.net.InetAddress la, int lp) throws IOException {
            Socket s = plain.createSocket(h, p, la, lp);
            s.setTcpNoDelay(true);
            return s;
        }

        @Override
        public Socket createSocket(java.net.InetAddress h, int p) throws IOException {
            Socket s = plain.createSocket(h, p);
            s.setTcpNoDelay(true);
            return s;
        }

        @Override
        public Socket createSocket(java.net.InetAddress h, int p, java.net.InetAddress la, int lp) throws IOException {
            Socket s = plain.createSocket(h, p, la, lp);
            s.setTcpNoDelay(true);
            return s;
        }
    }
}
