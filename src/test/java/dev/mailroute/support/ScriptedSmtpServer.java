package dev.mailroute.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import com.icegreen.greenmail.util.DummySSLServerSocketFactory;

/**
 * A small SMTP server for fault injection (GreenMail always says yes). Every stage answers what
 * the test scripted — any reply code, or {@link #HANG} (never answer) or {@link #DROP} (close the
 * connection) — and the script can change while a test runs. It records each completed
 * transaction: MAIL FROM, the accepted RCPTs and the data.
 */
public final class ScriptedSmtpServer implements AutoCloseable {

    public enum Stage { GREETING, EHLO, AUTH, MAIL, RCPT, DATA, END_OF_DATA }

    public static final String HANG = "<hang>";
    public static final String DROP = "<drop>";

    public record Transaction(String from, List<String> recipients, String data, long receivedAt, boolean tls,
                              boolean authenticated) {
    }

    private static final Pattern ADDRESS = Pattern.compile("<([^>]*)>");

    private final ServerSocket serverSocket;
    private final Map<Stage, String> replies = new ConcurrentHashMap<>();
    private final Map<String, String> recipientReplies = new ConcurrentHashMap<>();
    private final List<Transaction> transactions = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean advertiseAuth;
    private volatile BiPredicate<String, String> xoauth2;
    private volatile boolean advertiseDsn;
    private volatile String nullSenderReply;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<String> bearerTokens = new CopyOnWriteArrayList<>();
    private final AtomicInteger authRefusals = new AtomicInteger();
    private volatile SSLContext tls;
    private final AtomicInteger authentications = new AtomicInteger();

    private ScriptedSmtpServer(ServerSocket serverSocket) {
        this.serverSocket = serverSocket;
        Thread acceptor = new Thread(this::acceptLoop, "scripted-smtp-" + serverSocket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static ScriptedSmtpServer start() {
        return start(0);
    }

    public static ScriptedSmtpServer start(int port) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            return new ScriptedSmtpServer(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the server answers at this stage from now on; null restores the default (success). */
    public ScriptedSmtpServer reply(Stage stage, String reply) {
        if (reply == null) {
            replies.remove(stage);
        } else {
            replies.put(stage, reply);
        }
        return this;
    }

    /** The MAIL reply to the null sender (MAIL FROM:<>), as Microsoft 365 refuses it; null: as any sender. */
    public ScriptedSmtpServer replyToNullSender(String reply) {
        nullSenderReply = reply;
        return this;
    }

    /** The RCPT reply for one address; null restores the stage's reply. */
    public ScriptedSmtpServer replyTo(String address, String reply) {
        if (reply == null) {
            recipientReplies.remove(address.toLowerCase(Locale.ROOT));
        } else {
            recipientReplies.put(address.toLowerCase(Locale.ROOT), reply);
        }
        return this;
    }

    public ScriptedSmtpServer advertiseAuth(boolean advertise) {
        this.advertiseAuth = advertise;
        return this;
    }

    /**
     * Offers AUTH XOAUTH2 and takes the SASL string {@code user=<user>^Aauth=Bearer <token>^A^A}
     * when the check accepts that user and token; {@code 535 5.7.3} otherwise, as Exchange Online
     * answers.
     */
    public ScriptedSmtpServer acceptXoauth2(BiPredicate<String, String> userAndToken) {
        this.xoauth2 = userAndToken;
        return this;
    }

    /** Announces DSN (RFC 3461), so that a client may send NOTIFY and RET. */
    public ScriptedSmtpServer advertiseDsn() {
        this.advertiseDsn = true;
        return this;
    }

    /** Every MAIL FROM and RCPT TO line as the client wrote it, parameters included, in order. */
    public List<String> envelopeCommands() {
        return List.copyOf(commands);
    }

    /** Every bearer token a client authenticated with (accepted or not), in order. */
    public List<String> bearerTokens() {
        return List.copyOf(bearerTokens);
    }

    /** AUTH attempts answered 535. */
    public int authRefusals() {
        return authRefusals.get();
    }

    /** Offers STARTTLS, with GreenMail's self-signed test certificate. */
    public ScriptedSmtpServer offerStartTls() {
        try {
            KeyStore keys = new DummySSLServerSocketFactory().getKeyStore();
            KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            managers.init(keys, "changeit".toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(managers.getKeyManagers(), null, null);
            this.tls = context;
            return this;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Closes every open session, as a relay does with idle clients. */
    public void dropConnections() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
    }

    public int authentications() {
        return authentications.get();
    }

    private String xoauth2(String base64) {
        String sasl;
        try {
            sasl = new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            authRefusals.incrementAndGet();
            return "501 5.5.2 not base64";
        }
        Matcher m = Pattern.compile("user=([^\u0001]*)\u0001auth=Bearer ([^\u0001]+)\u0001\u0001").matcher(sasl);
        if (!m.matches()) {
            authRefusals.incrementAndGet();
            return "535 5.7.3 not an XOAUTH2 string";
        }
        bearerTokens.add(m.group(2));
        if (xoauth2.test(m.group(1), m.group(2))) {
            return replies.getOrDefault(Stage.AUTH, "235 2.7.0 Authentication successful");
        }
        authRefusals.incrementAndGet();
        return "535 5.7.3 Authentication unsuccessful";
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    public List<Transaction> transactions() {
        return List.copyOf(transactions);
    }

    public int connections() {
        return connections.get();
    }

    /** How many completed transactions included this recipient. */
    public long deliveriesTo(String address) {
        return transactions.stream().filter(t -> t.recipients().contains(address)).count();
    }

    @Override
    public void close() {
        try {
            serverSocket.close();
            for (Socket socket : sockets) {
                socket.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                connections.incrementAndGet();
                sockets.add(socket);
                Thread session = new Thread(() -> session(socket), "scripted-smtp-session");
                session.setDaemon(true);
                session.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void session(Socket plainSocket) {
        Socket socket = plainSocket;
        boolean secure = false;
        boolean authenticated = false;
        try (plainSocket) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            Answerer out = new Answerer(socket);
            if (!answer(out, replies.getOrDefault(Stage.GREETING, "220 scripted ESMTP"))) {
                return;
            }
            String from = null;
            List<String> accepted = new ArrayList<>();
            String line;
            while ((line = in.readLine()) != null) {
                String command = line.toUpperCase(Locale.ROOT);
                String reply;
                if (command.startsWith("EHLO") || command.startsWith("HELO")) {
                    reply = replies.getOrDefault(Stage.EHLO, "250-scripted\r\n250-8BITMIME\r\n"
                                                             + (advertiseAuth ? "250-AUTH LOGIN PLAIN\r\n" : "")
                                                             + (xoauth2 != null ? "250-AUTH XOAUTH2\r\n" : "")
                                                             + (advertiseDsn ? "250-DSN\r\n" : "")
                                                             + (tls != null && !secure ? "250-STARTTLS\r\n" : "")
                                                             + "250 SIZE 52428800");
                } else if (command.equals("STARTTLS") && tls != null && !secure) {
                    if (!answer(out, "220 2.0.0 ready to start TLS")) {
                        return;
                    }
                    SSLSocket upgraded = (SSLSocket) tls.getSocketFactory().createSocket(socket,
                            socket.getInetAddress().getHostAddress(), socket.getPort(), true);
                    upgraded.setUseClientMode(false);
                    upgraded.startHandshake();
                    socket = upgraded;
                    sockets.add(upgraded);
                    secure = true;
                    in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
                    out = new Answerer(socket);
                    continue;
                } else if (command.startsWith("AUTH XOAUTH2") && xoauth2 != null) {
                    String[] words = line.trim().split(" ");
                    String initial = words.length > 2 ? words[2] : null;
                    if (initial == null) {
                        if (!answer(out, "334 ") || (initial = in.readLine()) == null) {
                            return;
                        }
                    }
                    reply = xoauth2(initial);
                    authenticated = reply.startsWith("2");
                    authentications.incrementAndGet();
                } else if (command.startsWith("AUTH LOGIN")) {
                    if (!answer(out, "334 VXNlcm5hbWU6") || in.readLine() == null
                        || !answer(out, "334 UGFzc3dvcmQ6") || in.readLine() == null) {
                        return;
                    }
                    reply = replies.getOrDefault(Stage.AUTH, "235 2.7.0 authenticated");
                    authenticated = reply.startsWith("2");
                    authentications.incrementAndGet();
                } else if (command.startsWith("AUTH")) {
                    reply = replies.getOrDefault(Stage.AUTH, "235 2.7.0 authenticated");
                    authenticated = reply.startsWith("2");
                    authentications.incrementAndGet();
                } else if (command.startsWith("MAIL FROM")) {
                    commands.add(line);
                    reply = address(line).isEmpty() && nullSenderReply != null ? nullSenderReply
                            : replies.getOrDefault(Stage.MAIL, "250 2.1.0 sender ok");
                    from = reply.startsWith("2") ? address(line) : null;
                    accepted.clear();
                } else if (command.startsWith("RCPT TO")) {
                    commands.add(line);
                    String address = address(line);
                    reply = recipientReplies.getOrDefault(address.toLowerCase(Locale.ROOT),
                            replies.getOrDefault(Stage.RCPT, "250 2.1.5 recipient ok"));
                    if (reply.startsWith("2")) {
                        accepted.add(address);
                    }
                } else if (command.equals("DATA")) {
                    reply = replies.getOrDefault(Stage.DATA, "354 end data with <CR><LF>.<CR><LF>");
                    if (reply.startsWith("3")) {
                        if (!answer(out, reply)) {
                            return;
                        }
                        StringBuilder data = new StringBuilder();
                        String dataLine;
                        while ((dataLine = in.readLine()) != null && !dataLine.equals(".")) {
                            data.append(dataLine.startsWith("..") ? dataLine.substring(1) : dataLine).append("\r\n");
                        }
                        reply = replies.getOrDefault(Stage.END_OF_DATA, "250 2.0.0 queued");
                        if (reply.startsWith("2")) {
                            transactions.add(new Transaction(from, List.copyOf(accepted), data.toString(),
                                    System.currentTimeMillis(), secure, authenticated));
                        }
                        from = null;
                        accepted.clear();
                    }
                } else if (command.startsWith("RSET")) {
                    from = null;
                    accepted.clear();
                    reply = "250 2.0.0 reset";
                } else if (command.startsWith("QUIT")) {
                    answer(out, "221 2.0.0 bye");
                    return;
                } else if (command.startsWith("NOOP")) {
                    reply = "250 2.0.0 ok";
                } else {
                    reply = "502 5.5.2 command not recognized";
                }
                if (!answer(out, reply)) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private record Answerer(Socket socket) {
    }

    /** @return false when the session must end (dropped, or hung until the client gave up) */
    private static boolean answer(Answerer to, String reply) throws IOException {
        if (reply.equals(DROP)) {
            return false;
        }
        if (reply.equals(HANG)) {
            // say nothing; swallow whatever comes until the client times out and closes
            while (to.socket().getInputStream().read() != -1) {
                continue;
            }
            return false;
        }
        OutputStream out = to.socket().getOutputStream();
        out.write((reply + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return true;
    }

    private static String address(String line) {
        Matcher m = ADDRESS.matcher(line);
        return m.find() ? m.group(1) : line.substring(line.indexOf(':') + 1).trim();
    }
}
