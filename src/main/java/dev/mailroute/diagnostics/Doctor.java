package dev.mailroute.diagnostics;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.config.MailrouteSettings;
import dev.mailroute.delivery.Transport;
import dev.mailroute.files.FolderCheck;
import dev.mailroute.ingress.smtp.ListenerExposure;
import dev.mailroute.ingress.smtp.ListenerTls;
import dev.mailroute.ingress.smtp.SmtpUsers;
import dev.mailroute.ingress.smtp.SmtpdSettings;
import dev.mailroute.queue.BrokerManagement;
import dev.mailroute.queue.BrokerSettings;
import dev.mailroute.queue.SubmitterPassword;
import dev.mailroute.settings.KeyTable;
import dev.mailroute.settings.Secret;
import dev.mailroute.settings.Setting;
import dev.mailroute.settings.UrlCredentials;
import jakarta.jms.Connection;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * {@code java -jar mailroute.jar doctor [--to ADDRESS] [--from ADDRESS] [--json] [-v]}: checks the
 * configuration, the folders, the relay and the broker the way the classic troubleshooting advice
 * says to — telnet to port 25, find the folder the process may not write, remember the relay may
 * be busy — and says in one line each what is wrong and how to fix it. Exit code 0 when every
 * check passes, 1 otherwise. Nothing is delivered.
 */
public final class Doctor {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    /** The results, in the order they were found. */
    static final class Report {
        record Check(String area, String name, boolean ok, String detail, String fix) {
        }

        final List<Check> checks = new ArrayList<>();

        void ok(String area, String name, String detail) {
            checks.add(new Check(area, name, true, detail, null));
        }

        void fail(String area, String name, String detail, String fix) {
            checks.add(new Check(area, name, false, detail, fix));
        }

        boolean passed() {
            return checks.stream().allMatch(Check::ok);
        }
    }

    private Doctor() {
    }

    public static int run(String[] args, PrintStream out) {
        return run(args, out, Map.of());
    }

    /** @param overrides property values that win over the environment and the file (tests) */
    public static int run(String[] args, PrintStream out, Map<String, String> overrides) {
        String to = null;
        String from = null;
        boolean json = false;
        boolean verbose = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--to" -> to = args[++i];
                case "--from" -> from = args[++i];
                case "--json" -> json = true;
                case "-v", "--verbose" -> verbose = true;
                default -> {
                    out.println("usage: java -jar mailroute.jar doctor [--to ADDRESS] [--from ADDRESS] [--json] [-v]");
                    return 2;
                }
            }
        }

        // the report is the output: library logging (a broker that is not there, ...) would garble it
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        TurboFilter silence = new TurboFilter() {
            @Override
            public FilterReply decide(Marker marker, ch.qos.logback.classic.Logger logger, Level level,
                                      String format, Object[] params, Throwable t) {
                return FilterReply.DENY;
            }
        };
        logging.addTurboFilter(silence);
        try {
            return check(out, to, from, json, verbose, overrides);
        } finally {
            logging.getTurboFilterList().remove(silence);
        }
    }

    private static int check(PrintStream out, String to, String from, boolean json, boolean verbose,
                             Map<String, String> overrides) {
        Report report = new Report();
        Map<String, String> config = new LinkedHashMap<>();
        List<String> transcript = List.of();
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            PropertiesComponent properties = context.getPropertiesComponent();
            properties.setLocation("file:config/application.properties;optional=true");
            Properties override = new Properties();
            override.putAll(overrides);
            properties.setOverrideProperties(override);
            MailrouteSettings settings;
            try {
                settings = MailrouteSettings.from(properties);
            } catch (IllegalArgumentException e) {
                report.fail("config", "settings", e.getMessage(), "fix config/application.properties or the environment");
                return print(out, report, config, transcript, json, verbose);
            }
            summary(properties, config);
            report.ok("config", "settings", "transport " + settings.transport()
                                            + (settings.transport() == Transport.SMTP ? " via " + settings.smtp().host()
                                                                                     + ":" + settings.smtp().port() : ""));
            folders(settings, report);
            if (settings.transport() == Transport.SMTP || settings.circuit().fallbackToPickup()) {
                SmtpProbe probe = new SmtpProbe(settings.smtp(), settings.oauth2());
                String sender = from != null ? from
                        : settings.smtp().username() != null && settings.smtp().username().contains("@")
                                ? settings.smtp().username() : "postmaster@" + settings.smtp().host();
                probe.run(report, sender, to);
                transcript = probe.transcript();
            } else if (to != null) {
                report.ok("smtp", "skipped", "transport is pickup: --to is not checked");
            }
            smtpListener(settings, report);
            boolean running = running(settings);
            ports(settings, running, report);
            broker(settings, running, report);
        } catch (IOException e) {
            // closing the context that only resolved properties: nothing to report
        }
        return print(out, report, config, transcript, json, verbose);
    }

    /**
     * Every key of the key table with its value, in the table's order; secrets as {@code ****}, and
     * the credentials in any URL (a token URL's user:password@, a broker URL's ?password=) too.
     */
    private static void summary(PropertiesComponent properties, Map<String, String> config) {
        for (Setting setting : KeyTable.ALL) {
            String value = properties.resolveProperty(setting.key()).orElse("");
            config.put(setting.key(), setting.secret() && !value.isBlank() ? Secret.MASK
                    : value.contains("://") ? UrlCredentials.mask(value) : value);
        }
    }

    private static void folders(MailrouteSettings settings, Report report) {
        Map<String, Object[]> folders = new LinkedHashMap<>();
        folders.put("inbox", new Object[] {"mailroute.inbox.dir", settings.inbox().dir()});
        if (settings.usesPickup()) {
            folders.put("pickup", new Object[] {"mailroute.pickup.dir", settings.pickup().dir()});
        }
        folders.put("rejected", new Object[] {"mailroute.rejected.dir", settings.inbox().rejectedDir()});
        folders.put("failed", new Object[] {"mailroute.failed.dir", settings.delivery().failedDir()});
        if (settings.broker().embedded()) {
            folders.put("broker journal", new Object[] {"mailroute.broker.dir", settings.broker().dir()});
        }
        folders.put("spool", new Object[] {"mailroute.spool.dir", settings.spoolDir()});
        String user = System.getProperty("user.name");
        folders.forEach((role, keyAndPath) -> {
            Path path = (Path) keyAndPath[1];
            FolderCheck.problem(role, (String) keyAndPath[0], path).ifPresentOrElse(
                    problem -> report.fail("folders", role, problem, null),
                    () -> report.ok("folders", role, path + " writable by " + user + ", " + free(path) + " free"));
        });
    }

    private static String free(Path path) {
        try {
            long bytes = Files.getFileStore(path).getUsableSpace();
            return bytes >= 1L << 30 ? (bytes >> 30) + " GiB" : (bytes >> 20) + " MiB";
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * Whether mailroute itself is running with this configuration: its health endpoint answers.
     * Then its ports are in use by it, and its queue depths can be asked for.
     */
    private static boolean running(MailrouteSettings settings) {
        try {
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(observe(settings, "/observe/health/live"))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return answer.body().contains("\"status\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The ports mailroute listens on can be bound (when mailroute is not running, holding them itself). */
    private static void ports(MailrouteSettings settings, boolean running, Report report) {
        if (running) {
            report.ok("ports", "http", "mailroute is running and answers on " + settings.http().host() + ":"
                                       + settings.http().port());
            return;
        }
        port(report, "http", "mailroute.http.port", settings.http().host(), settings.http().port());
        if (settings.smtpd().enabled()) {
            port(report, "smtpd", "mailroute.smtpd.port", settings.smtpd().host(), settings.smtpd().port());
        }
        if (settings.broker().embedded()) {
            port(report, "broker", "mailroute.broker.port", settings.broker().host(), settings.broker().port());
        }
    }

    private static void port(Report report, String name, String key, String host, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
            report.ok("ports", name, host + ":" + port + " is free to listen on");
        } catch (IOException e) {
            report.fail("ports", name, host + ":" + port + " cannot be listened on: " + e.getMessage(),
                    "stop what uses that port, or set " + key + " to a free one");
        }
    }

    /**
     * Whom the SMTP listener would relay for (what the start-up checks refuse), its certificate
     * (readable, paired with its key, and its expiry) and users file.
     */
    private static void smtpListener(MailrouteSettings settings, Report report) {
        SmtpdSettings smtpd = settings.smtpd();
        if (!smtpd.enabled()) {
            return;
        }
        ListenerExposure.of(smtpd).ifPresentOrElse(problem -> {
            if (problem.optOut() && settings.allowUnauthenticated()) {
                report.ok("smtpd", "exposure", problem.what() + " (allowed by"
                                               + " mailroute.security.allowUnauthenticated=true)");
            } else {
                report.fail("smtpd", "exposure", problem.setting() + ": " + problem.what() + ".", problem.fixes());
            }
        }, () -> report.ok("smtpd", "exposure", smtpd.host() + ":" + smtpd.port() + " for clients "
                                                + smtpd.allowedClients()
                                                + (smtpd.requireAuth() ? ", AUTH required" : "")));
        if (smtpd.tls()) {
            try {
                String detail = ListenerTls.describe(smtpd.tlsCert(), smtpd.tlsKey());
                Instant expiry = ListenerTls.expiry(smtpd.tlsCert());
                if (expiry.isBefore(Instant.now())) {
                    report.fail("smtpd", "tls", "the certificate has expired: " + detail,
                            "renew it (mailroute.smtpd.tls.cert, mailroute.smtpd.tls.key)");
                } else {
                    report.ok("smtpd", "tls", detail + " (" + Duration.between(Instant.now(), expiry).toDays()
                                              + " days left)");
                }
            } catch (IllegalArgumentException | IOException | java.security.GeneralSecurityException e) {
                report.fail("smtpd", "tls", e.getMessage(), "point mailroute.smtpd.tls.cert and mailroute.smtpd.tls.key"
                                                            + " at a PEM certificate and its private key");
            }
        }
        if (smtpd.users() != null) {
            try {
                int users = SmtpUsers.load(smtpd.users()).size();
                report.ok("smtpd", "users", smtpd.users() + ": " + users + (users == 1 ? " user" : " users"));
            } catch (IllegalArgumentException | IOException e) {
                report.fail("smtpd", "users", e.getMessage(), "fix the users file");
            }
        }
    }

    private static void broker(MailrouteSettings settings, boolean running, Report report) {
        BrokerSettings broker = settings.broker();
        if (broker.embedded()) {
            embeddedBroker(settings, running, report);
            return;
        }
        String url = BrokerSettings.redacted(broker.url());
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(broker.url(), broker.username(),
                broker.password() == null ? null : broker.password().reveal());
        factory.setReconnectAttempts(0);
        factory.setInitialConnectAttempts(1);
        factory.setCallTimeout(broker.callTimeoutMillis());
        try (factory; BrokerManagement management = BrokerManagement.open(factory)) {
            report.ok("broker", "reachable", url + (broker.username() == null ? "" : " as " + broker.username())
                                             + ": " + depths(management));
            List<String> differences = management.differences(broker.keyCache());
            for (String difference : differences) {
                report.fail("broker", "settings", difference, "change it in the broker's broker.xml"
                                                              + " (docs/scale-out.md has the whole snippet)");
            }
            if (differences.isEmpty()) {
                report.ok("broker", "settings", "the address settings of mailroute's queues are as required");
            }
        } catch (Exception e) {
            report.fail("broker", "reachable", "cannot ask the broker " + url + ": "
                                               + BrokerSettings.redacted(String.valueOf(e.getMessage())),
                    "check mailroute.broker.url, mailroute.broker.username and MAILROUTE_BROKER_PASSWORD, that the"
                    + " broker runs, and that mailroute's account may manage (docs/scale-out.md)");
        }
    }

    private static String depths(BrokerManagement management) throws jakarta.jms.JMSException {
        return "mail.outbound " + management.messageCount("mail.outbound") + " (of them "
               + management.scheduledCount("mail.outbound") + " waiting for a retry), mail.failed "
               + management.messageCount("mail.failed") + ", mail.submit " + management.messageCount("mail.submit")
               + ", mail.rejected " + management.messageCount("mail.rejected");
    }

    /**
     * The embedded broker lives inside the gateway: when mailroute is not running that is said, not
     * failed. When it runs, a JMS client's login is tried as the submitters log in, and the queue
     * depths come from mailroute's own metrics (a submitter may not browse the queues).
     */
    private static void embeddedBroker(MailrouteSettings settings, boolean running, Report report) {
        BrokerSettings broker = settings.broker();
        String url = broker.clientUrl();
        if (!running) {
            report.ok("broker", "reachable", "the embedded broker is not running at " + url
                                             + " (mailroute is not running); queue depths unknown");
            return;
        }
        Secret password;
        try {
            password = SubmitterPassword.current(broker);
        } catch (IOException e) {
            report.fail("broker", "login", "cannot read the submitters' password in " + broker.dir() + ": "
                                           + e.getMessage(), "run doctor as the user mailroute runs as");
            return;
        }
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url, broker.submitUser(),
                password == null ? null : password.reveal());
        factory.setReconnectAttempts(0);
        factory.setInitialConnectAttempts(1);
        try (factory; Connection connection = factory.createConnection()) {
            report.ok("broker", "login", url + ": JMS submitters can log in as '" + broker.submitUser() + "'");
        } catch (Exception e) {
            report.fail("broker", "login", "cannot log in to " + url + " as '" + broker.submitUser() + "': "
                                           + e.getMessage(), "check mailroute.broker.submitUser and"
                                                             + " MAILROUTE_BROKER_SUBMITPASSWORD");
        }
        report.ok("broker", "queues", queueDepths(settings));
    }

    private static String queueDepths(MailrouteSettings settings) {
        HttpRequest.Builder request = HttpRequest.newBuilder(observe(settings, "/observe/metrics"))
                .timeout(Duration.ofSeconds(5)).GET();
        if (!settings.http().apiKeys().isEmpty()) {
            request.header("Authorization", "Bearer " + settings.http().apiKeys().get(0).key().reveal());
        }
        try {
            String metrics = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
            return "mail.outbound " + sample(metrics, "mailroute_queue_depth{queue=\"mail.outbound\"}")
                   + " (of them " + sample(metrics, "mailroute_queue_scheduled{queue=\"mail.outbound\"}")
                   + " waiting for a retry), mail.failed " + sample(metrics, "mailroute_queue_depth{queue=\"mail.failed\"}")
                   + ", mail.submit " + sample(metrics, "mailroute_queue_depth{queue=\"mail.submit\"}");
        } catch (IOException e) {
            return "queue depths unknown: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "queue depths unknown";
        }
    }

    private static String sample(String metrics, String name) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ")) {
                return line.substring(name.length() + 1).replaceAll("\\.0$", "");
            }
        }
        return "?";
    }

    private static URI observe(MailrouteSettings settings, String path) {
        String host = settings.http().host();
        String reachable = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        return URI.create("http://" + (reachable.contains(":") ? "[" + reachable + "]" : reachable) + ":"
                          + settings.http().port() + path);
    }

    private static int print(PrintStream out, Report report, Map<String, String> config, List<String> transcript,
                             boolean json, boolean verbose) {
        int exit = report.passed() ? 0 : 1;
        if (json) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode root = mapper.createObjectNode();
            root.put("ok", report.passed());
            config.forEach(root.putObject("config")::put);
            ArrayNode checks = root.putArray("checks");
            for (Report.Check check : report.checks) {
                ObjectNode node = checks.addObject();
                node.put("area", check.area()).put("check", check.name()).put("ok", check.ok())
                        .put("detail", check.detail());
                if (check.fix() != null) {
                    node.put("fix", check.fix());
                }
            }
            if (verbose) {
                transcript.forEach(root.putArray("transcript")::add);
            }
            out.println(root.toPrettyString());
            return exit;
        }
        out.println("mailroute doctor");
        config.forEach((k, v) -> out.println("  " + k + " = " + v));
        out.println();
        for (Report.Check check : report.checks) {
            out.println((check.ok() ? "ok    " : "FAIL  ") + check.area() + " " + check.name() + ": " + check.detail()
                        + (check.fix() == null ? "" : " Fix: " + check.fix()));
        }
        if (verbose && !transcript.isEmpty()) {
            out.println();
            out.println("SMTP transcript:");
            transcript.forEach(line -> out.println("  " + line));
        }
        out.println();
        out.println(exit == 0 ? "all checks passed" : "some checks failed");
        return exit;
    }
}
