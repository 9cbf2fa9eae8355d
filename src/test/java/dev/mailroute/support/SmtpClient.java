package dev.mailroute.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A raw SMTP conversation for the cases a well-behaved client library will not produce: bare line
 * feeds, pipelined commands in one write, commands a server must refuse. Replies are read whole
 * (every line of a multi-line reply).
 */
public final class SmtpClient implements AutoCloseable {

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private SmtpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.socket.setSoTimeout(20_000);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    public static SmtpClient connect(String host, int port) {
        try {
            return new SmtpClient(new Socket(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** After the server's 220 to STARTTLS: the TLS handshake on this connection; what follows goes under TLS. */
    public void startTls(SSLSocketFactory tls, String host, int port) {
        try {
            SSLSocket upgraded = (SSLSocket) tls.createSocket(socket, host, port, true);
            upgraded.startHandshake();
            socket = upgraded;
            in = upgraded.getInputStream();
            out = upgraded.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The greeting, or the refusal a server gives instead. */
    public String greeting() {
        return reply();
    }

    /** Sends one command line (CRLF added) and returns the reply. */
    public String command(String line) {
        send(line + "\r\n");
        return reply();
    }

    /** Sends bytes as they are: several commands at once, data with odd line ends. */
    public void send(String raw) {
        try {
            out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One whole reply: lines up to the one whose code is followed by a space; "" when the server closed. */
    public String reply() {
        try {
            StringBuilder reply = new StringBuilder();
            while (true) {
                String line = line();
                if (line == null) {
                    return reply.toString();
                }
                reply.append(reply.length() == 0 ? "" : "\n").append(line);
                if (line.length() < 4 || line.charAt(3) != '-') {
                    return reply.toString();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
