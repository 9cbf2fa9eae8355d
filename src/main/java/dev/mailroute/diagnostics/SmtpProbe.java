package dev.mailroute.diagnostics;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import dev.mailroute.delivery.RelaySettings;
import dev.mailroute.delivery.smtp.RelayCredentials;
import dev.mailroute.delivery.smtp.SmtpSettings;
import dev.mailroute.delivery.smtp.oauth2.AccessToken;
import dev.mailroute.delivery.smtp.oauth2.OAuth2Credentials;
import dev.mailroute.delivery.smtp.oauth2.OAuth2Settings;
import dev.mailroute.delivery.smtp.oauth2.SharedToken;
import dev.mailroute.delivery.smtp.oauth2.TokenException;
import dev.mailroute.observability.LogText;
import dev.mailroute.settings.SettingsReader;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * What an operator would do with telnet on port 25, for {@code doctor}: connect and time it, read
 * the banner, EHLO and list what the relay announces, STARTTLS and look at the certificate, then
 * (with Angus Mail, as delivery does) AUTH with the configured credentials and, given a recipient,
 * MAIL FROM / RCPT TO / RSET — nothing is ever sent. Every line of the conversation is kept for
 * {@code -v}; credentials never appear in it.
 */
final class SmtpProbe {

    /** An address is at most 254 characters (RFC 5321); what is longer is cut in the report. */
    static final int ADDRESS_MAX = 254;

    private static final java.util.regex.Pattern REPLY = java.util.regex.Pattern.compile("\\d{3}[ -]|\\d{3}$");

    private final SmtpSettings smtp;
    /** Null unless the relay's auth is oauth2. */
    private final OAuth2Settings oauth2;
    /** What the report's lines begin with: smtp for the relay named default, smtp-bulk for the relay named bulk. */
    private final String area;
    /** Where the relay's keys begin, for the fixes: mailroute.smtp. or mailroute.relays.bulk. */
    private final String keys;
    private final List<String> transcript = new ArrayList<>();

    /** The probe of one SMTP relay: the relay named default's or a named one's settings, lines and keys. */
    SmtpProbe(RelaySettings relay) {
        this.smtp = relay.smtp();
        this.oauth2 = relay.oauth2();
        this.area = "smtp" + relay.beanSuffix();
        this.keys = relay.smtpKeyPrefix();
    }

    List<String> transcript() {
        return transcript;
    }

    /**
     * @param reportsSender the envelope sender of delivery status reports ("" for the null sender),
     *     or null when reports are off: the relay is asked whether it takes it
     */
    void run(Report report, String from, String to, String reportsSender) {
        String relay = smtp.host() + ":" + smtp.port();
        long start = System.nanoTime();
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(smtp.host(), smtp.port()), (int) smtp.timeoutMillis());
            plain.setSoTimeout((int) smtp.timeoutMillis());
            report.ok(area, "connect", "connected to " + relay + " in " + (System.nanoTime() - start) / 1_000_000
                                         + " ms");
            Socket socket = smtp.security() == SmtpSettings.Security.TLS ? tls(plain, report) : plain;
            if (socket == null) {
                return;
            }
            Conversation c = new Conversation(socket);
            String banner = c.reply();
            if (!banner.startsWith("220")) {
                report.fail(area, "banner", "the relay refuses the session: " + banner,
                        "the relay is busy or refuses this client; check its logs and connection limits");
                return;
            }
            report.ok(area, "banner", banner);
            List<String> capabilities = c.ehlo();
            if (capabilities == null) {
                report.fail(area, "ehlo", "EHLO refused", "the relay does not speak ESMTP to this client");
                return;
            }
            report.ok(area, "ehlo", "announces " + summarize(capabilities));
            boolean offersStartTls = capabilities.stream().anyMatch(l -> l.equalsIgnoreCase("STARTTLS"));
            if (smtp.security() == SmtpSettings.Security.STARTTLS
                || smtp.security() == SmtpSettings.Security.STARTTLS_REQUIRED) {
                if (!offersStartTls) {
                    if (smtp.security() == SmtpSettings.Security.STARTTLS_REQUIRED) {
                        report.fail(area, "starttls", "the relay does not offer STARTTLS",
                                "enable TLS on the relay, or set " + keys + "security=tls (port 465) or none");
                        return;
                    }
                    report.ok(area, "starttls", "not offered; mail goes in plain text (security=starttls)");
                } else {
                    String ready = c.command("STARTTLS");
                    if (!ready.startsWith("220")) {
                        report.fail(area, "starttls", "STARTTLS refused: " + ready, "check the relay's TLS setup");
                        return;
                    }
                    Socket secured = tls(socket, report);
                    if (secured == null) {
                        return;
                    }
                    c = new Conversation(secured);
                    List<String> afterTls = c.ehlo();
                    if (afterTls != null) {
                        report.ok(area, "ehlo-tls", "announces after STARTTLS " + summarize(afterTls));
                    }
                }
            }
            c.command("QUIT");
        } catch (ConnectException e) {
            report.fail(area, "connect", "connection refused to " + relay,
                    "nothing listens there: check " + keys + "host and " + keys + "port, and that the relay runs");
            return;
        } catch (SocketTimeoutException e) {
            report.fail(area, "connect", "no answer from " + relay + " within " + smtp.timeoutMillis() + " ms",
                    "a firewall drops the connection, or the relay is overloaded; check the route to it");
            return;
        } catch (UnknownHostException e) {
            report.fail(area, "connect", "unknown host " + smtp.host(), "check " + keys + "host and DNS");
            return;
        } catch (IOException e) {
            report.fail(area, "connect", "cannot talk to " + relay + ": " + e.getMessage(),
                    "check that " + relay + " is an SMTP relay and " + keys + "security matches it");
            return;
        }
        angus(report, from, to, reportsSender);
    }

    /**
     * The access token, when the relay's auth is oauth2: from which endpoint, until when, for which
     * scopes — or the provider's error. The token itself is never shown.
     */
    private RelayCredentials credentials(Report report) {
        if (oauth2 == null) {
            return new RelayCredentials.Password(smtp.password(), keys);
        }
        OAuth2Credentials credentials;
        try {
            credentials = OAuth2Credentials.of(oauth2);
        } catch (IllegalArgumentException e) {
            report.fail(area, "oauth2-token", e.getMessage(), "fix the mailroute.smtp.oauth2.* setting it names");
            return null;
        }
        SharedToken shared = credentials.token();
        try {
            AccessToken token = shared.get();
            long seconds = Duration.between(Instant.now(), token.expiresAt()).toSeconds();
            report.ok(area, "oauth2-token", "acquired from " + shared.endpoint() + " for "
                                              + oauth2.mailbox() + ", valid until " + token.expiresAt() + " ("
                                              + seconds + " s)" + (token.scopes() == null ? ""
                    : ", scopes " + token.scopes()));
            return credentials;
        } catch (TokenException e) {
            report.fail(area, "oauth2-token", e.getMessage(), e.refused() ? credentials.fix()
                    : "check that " + shared.endpoint() + " is reachable from here (proxy, firewall, DNS)"
                      + " and mailroute.smtp.oauth2.timeout");
            return null;
        }
    }

    /** AUTH and the optional recipient check, the way delivery itself connects. */
    private void angus(Report report, String from, String to, String reportsSender) {
        RelayCredentials credentials = credentials(report);
        if (credentials == null) {
            return;
        }
        Properties props = smtp.sessionProperties();
        Session session = Session.getInstance(props);
        ByteArrayOutputStream debug = new ByteArrayOutputStream();
        session.setDebugOut(new PrintStream(debug, true, StandardCharsets.UTF_8));
        session.setDebug(true); // mail.debug.auth stays false: AUTH lines and credentials are not printed
        try (SMTPTransport transport = smtp.connect(session, credentials)) {
            if (smtp.authenticates()) {
                report.ok(area, "auth", "authenticated as " + smtp.username()
                                          + (smtp.auth() == SmtpSettings.Auth.OAUTH2 ? " (XOAUTH2)" : ""));
            }
            if (reportsSender != null) {
                reportsSender(report, transport, reportsSender);
            }
            if (to != null) {
                // the addresses come from the command line, the replies from the relay: shown as one plain line each
                String shownFrom = LogText.oneLine(from, ADDRESS_MAX);
                String shownTo = LogText.oneLine(to, ADDRESS_MAX);
                int mail = transport.simpleCommand("MAIL FROM:<" + from + ">");
                String mailReply = LogText.oneLine(transport.getLastServerResponse().trim());
                if (mail / 100 != 2) {
                    report.fail(area, "mail-from", "the relay refuses the sender " + shownFrom + ": " + mailReply,
                            "let this client send as " + shownFrom + " (relay permissions, SPF, the account's send-as)");
                } else {
                    int rcpt = transport.simpleCommand("RCPT TO:<" + to + ">");
                    String rcptReply = LogText.oneLine(transport.getLastServerResponse().trim());
                    if (rcpt / 100 == 2) {
                        report.ok(area, "rcpt-to", "the relay would accept " + shownTo + " from " + shownFrom + ": "
                                                   + rcptReply);
                    } else {
                        report.fail(area, "rcpt-to", "the relay refuses " + shownTo + " from " + shownFrom + ": "
                                                     + rcptReply,
                                "check the address, and that the relay lets this client relay to that domain");
                    }
                }
                transport.simpleCommand("RSET");
            }
        } catch (jakarta.mail.AuthenticationFailedException e) {
            report.fail(area, "auth", "the relay refuses the credentials of " + smtp.username() + ": "
                                        + LogText.oneLine(e.getMessage()), fix(credentials)
                                                                   + " (and that SMTP AUTH is enabled for the account)");
        } catch (MessagingException e) {
            report.fail(area, "session", "the session with Angus Mail failed: " + LogText.oneLine(e.getMessage()),
                    "compare " + keys + "security with what the relay offers");
        } finally {
            transcript.add("[session as delivery opens it: EHLO, STARTTLS and AUTH as configured]");
            for (String line : debug.toString(StandardCharsets.UTF_8).split("\\R")) {
                if (!line.isBlank() && !line.startsWith("DEBUG")) {
                    transcript.add((REPLY.matcher(line).lookingAt() ? "S: " : "C: ") + line);
                }
            }
        }
    }

    /**
     * What to check when the relay refuses the credentials: a password's keys are the relay's own
     * ({@code mailroute.relays.bulk.username}, {@code MAILROUTE_RELAYS_BULK_PASSWORD}); OAuth 2.0's
     * are the gateway's, as its credentials say.
     */
    private String fix(RelayCredentials credentials) {
        return credentials instanceof RelayCredentials.Password
                ? "check " + keys + "username, " + SettingsReader.environmentName(keys + "password") + " and " + keys
                  + "security"
                : credentials.fix();
    }

    /** Whether the relay takes the reports' envelope sender (Microsoft 365 refuses MAIL FROM:<>); RSET after. */
    private void reportsSender(Report report, SMTPTransport transport, String sender) throws MessagingException {
        String shown = "<" + sender + ">";
        int mail = transport.simpleCommand("MAIL FROM:" + shown);
        String reply = LogText.oneLine(transport.getLastServerResponse().trim());
        transport.simpleCommand("RSET");
        if (mail / 100 == 2) {
            report.ok(area, "reports-sender", "the relay takes delivery status reports from " + shown + ": " + reply);
        } else {
            report.fail(area, "reports-sender", "the relay refuses delivery status reports from " + shown + ": "
                    + reply, sender.isEmpty()
                    ? "set mailroute.bounce.sender to the mailbox this account may send as, or mailroute.bounce.enabled=false"
                    : "let this account send as " + sender + ", or set mailroute.bounce.sender to a mailbox it may send as");
        }
    }

    /** TLS on the socket (implicit or after STARTTLS); reports protocol, cipher and certificate. */
    private Socket tls(Socket plain, Report report) throws IOException {
        SSLSocket socket;
        try {
            SSLSocketFactory factory = "*".equals(smtp.trust()) ? trustAll() : (SSLSocketFactory) SSLSocketFactory.getDefault();
            socket = (SSLSocket) factory.createSocket(plain, smtp.host(), smtp.port(), true);
            socket.startHandshake();
        } catch (IOException e) {
            report.fail(area, "tls", "TLS handshake with " + smtp.host() + " failed: " + LogText.oneLine(e.getMessage()),
                    "the relay's certificate is not trusted by this JVM: import its CA into the trust store,"
                    + " or name the host in " + keys + "tls.trust");
            return null;
        }
        SSLSession session = socket.getSession();
        Certificate[] chain = session.getPeerCertificates();
        X509Certificate certificate = (X509Certificate) chain[0];
        boolean nameMatches = matchesHost(certificate, smtp.host());
        String detail = session.getProtocol() + ", " + session.getCipherSuite() + ", certificate "
                        + certificate.getSubjectX500Principal().getName() + ", valid until " + certificate.getNotAfter()
                        .toInstant() + ", name " + (nameMatches ? "matches " : "does not match ") + smtp.host();
        transcript.add("[TLS " + detail + "]");
        if (!nameMatches && !"*".equals(smtp.trust())) {
            report.fail(area, "tls", detail, "connect by a name the certificate carries (" + keys + "host)");
            return null;
        }
        report.ok(area, "tls", detail);
        return socket;
    }

    private static boolean matchesHost(X509Certificate certificate, String host) {
        List<String> names = new ArrayList<>();
        try {
            if (certificate.getSubjectAlternativeNames() != null) {
                for (List<?> name : certificate.getSubjectAlternativeNames()) {
                    names.add(String.valueOf(name.get(1)).toLowerCase(Locale.ROOT));
                }
            }
        } catch (CertificateParsingException e) {
            // fall back to the common name
        }
        String subject = certificate.getSubjectX500Principal().getName();
        for (String part : subject.split(",")) {
            if (part.trim().toUpperCase(Locale.ROOT).startsWith("CN=")) {
                names.add(part.trim().substring(3).toLowerCase(Locale.ROOT));
            }
        }
        String h = host.toLowerCase(Locale.ROOT);
        return names.stream().anyMatch(n -> n.equals(h)
                                            || (n.startsWith("*.") && h.endsWith(n.substring(1))
                                                && h.indexOf('.') == h.length() - n.length() + 1));
    }

    private static SSLSocketFactory trustAll() throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return context.getSocketFactory();
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private static String summarize(List<String> capabilities) {
        List<String> interesting = new ArrayList<>();
        for (String line : capabilities) {
            String upper = line.toUpperCase(Locale.ROOT);
            for (String key : List.of("SIZE", "STARTTLS", "AUTH", "PIPELINING", "8BITMIME", "SMTPUTF8", "CHUNKING")) {
                if (upper.equals(key) || upper.startsWith(key + " ") || upper.startsWith(key + "=")) {
                    interesting.add(line);
                }
            }
        }
        return interesting.isEmpty() ? "no extensions" : String.join(", ", interesting);
    }


    /** A plain SMTP exchange on a socket, recorded as a telnet session would show it. */
    private final class Conversation {
        private final BufferedReader in;
        private final OutputStream out;

        Conversation(Socket socket) throws IOException {
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            this.out = socket.getOutputStream();
        }

        String reply() throws IOException {
            StringBuilder reply = new StringBuilder();
            String line;
            do {
                line = in.readLine();
                if (line == null) {
                    throw new IOException("the relay closed the connection");
                }
                transcript.add("S: " + line);
                reply.append(reply.length() == 0 ? "" : "\n").append(line);
            } while (line.length() > 3 && line.charAt(3) == '-');
            return reply.toString();
        }

        String command(String command) throws IOException {
            transcript.add("C: " + command);
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return reply();
        }

        /** @return the capability lines, or null when EHLO was refused */
        List<String> ehlo() throws IOException {
            String reply = command("EHLO mailroute-doctor");
            if (!reply.startsWith("250")) {
                return null;
            }
            List<String> capabilities = new ArrayList<>();
            String[] lines = reply.split("\n");
            for (int i = 1; i < lines.length; i++) {
                capabilities.add(lines[i].substring(4).trim());
            }
            return capabilities;
        }
    }
}
