package dev.mailroute.diagnostics;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.mailroute.config.MailrouteSettings;
import dev.mailroute.delivery.Transport;
import dev.mailroute.files.Platform;
import dev.mailroute.observability.LogText;
import dev.mailroute.settings.KeyTable;
import dev.mailroute.settings.Secret;
import dev.mailroute.settings.Setting;
import dev.mailroute.settings.UrlCredentials;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PropertiesComponent;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar mailroute.jar doctor [--to ADDRESS] [--from ADDRESS] [--json] [-v]}: checks the
 * configuration, the folders, the routing table, every relay and the broker the way the classic
 * troubleshooting advice says to — telnet to port 25, find the folder the process may not write,
 * remember the relay may be busy — and says in one line each what is wrong and how to fix it. Exit code 0 when every
 * check passes, 1 otherwise. Nothing is delivered.
 *
 * <p>Each check is a small class of its own ({@link DoctorCheck}) writing into one {@link Report}:
 * the folders, the routing table, the relays, the SMTP listener, the ports (on Windows: the IIS SMTP
 * service), the broker.
 */
public final class Doctor {

    private Doctor() {
    }

    public static int run(String[] args, PrintStream out) {
        return run(args, out, Map.of());
    }

    /** @param overrides property values that win over the environment and the file (tests) */
    public static int run(String[] args, PrintStream out, Map<String, String> overrides) {
        return run(args, out, overrides, WindowsService.SC_EXE);
    }

    /** @param sc how Windows services are asked (tests hand in what {@code sc query} printed) */
    static int run(String[] args, PrintStream out, Map<String, String> overrides, WindowsService.Sc sc) {
        return ToolCommandLine.execute(new CommandLine(new Options(out, overrides, sc)), args, out, out);
    }

    @Command(name = "mailroute doctor", sortOptions = false, description = {"Checks the configuration, the folders,"
            + " the routing table, every relay, the ports and the broker this folder's configuration"
            + " (config/application.properties and the environment) describes, one line each: what is wrong and the fix. Nothing is delivered.",
            "Exit code 0 when every check passes, 1 when one fails, 2 for a wrong command line."})
    private static final class Options implements Callable<Integer> {

        private static final String RCPT = "say which relay ADDRESS takes and by which rule, and ask that relay"
                                           + " whether it takes mail to ADDRESS (MAIL FROM, RCPT TO, then RSET:"
                                           + " nothing is sent)";

        @Option(names = "--to", paramLabel = "ADDRESS", description = RCPT)
        String to;

        @Option(names = "--from", paramLabel = "ADDRESS",
                description = "the sender for --to, routed and asked with it (default: SMTP user)")
        String from;

        @Option(names = "--json", description = "the report as JSON, for scripts")
        boolean json;

        @Option(names = {"-v", "--verbose"}, description = "add the SMTP transcript (passwords left out)")
        boolean verbose;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
        boolean help;

        @Spec
        CommandSpec spec;

        private final PrintStream out;
        private final Map<String, String> overrides;
        private final WindowsService.Sc sc;

        Options(PrintStream out, Map<String, String> overrides, WindowsService.Sc sc) {
            this.out = out;
            this.overrides = overrides;
            this.sc = sc;
        }

        @Override
        public Integer call() {
            plainAddress(spec, "--to", to);
            plainAddress(spec, "--from", from);
            try (QuietLogging quiet = QuietLogging.start()) {
                return check(out, to, from, json, verbose, overrides, sc);
            }
        }
    }

    /**
     * An address for the relay has no control character: a line break in it would be read by the
     * relay as a further SMTP command after RCPT TO.
     */
    private static void plainAddress(CommandSpec spec, String option, String address) {
        if (address != null && address.chars().anyMatch(Character::isISOControl)) {
            throw new ParameterException(spec.commandLine(), option + "="
                    + LogText.oneLine(address, SmtpProbe.ADDRESS_MAX) + " has a control character (a line break, a tab, an escape); an address has none");
        }
    }

    private static int check(PrintStream out, String to, String from, boolean json, boolean verbose,
                             Map<String, String> overrides, WindowsService.Sc sc) {
        Report report = new Report();
        Map<String, String> config = new LinkedHashMap<>();
        RelayCheck relay = new RelayCheck();
        try (DefaultCamelContext context = ConfigurationFile.open(overrides)) {
            PropertiesComponent properties = context.getPropertiesComponent();
            MailrouteSettings settings;
            try {
                settings = MailrouteSettings.from(properties);
            } catch (IllegalArgumentException e) {
                report.fail("config", "settings", e.getMessage(), "fix config/application.properties or the environment");
                return ReportPrinter.print(out, report, config, List.of(), json, verbose);
            }
            summary(properties, config);
            report.ok("config", "settings", "transport " + settings.transport()
                                            + (settings.transport() == Transport.SMTP ? " via " + settings.smtp().host()
                                                                                     + ":" + settings.smtp().port() : ""));
            DoctorCheck.Situation situation = new DoctorCheck.Situation(settings, RunningInstance.answers(settings),
                    from, to);
            for (DoctorCheck check : List.of(new FolderChecks(), new RoutingCheck(), relay, new ListenerChecks(),
                    new PortChecks(),
                    new IisSmtpCheck(Platform.current().windows(), sc), new BrokerChecks(), new LedgerCheck(),
                    new WebhookChecks())) {
                check.run(situation, report);
            }
        } catch (IOException e) {
            // closing the context that only resolved properties: nothing to report
        }
        return ReportPrinter.print(out, report, config, relay.transcript(), json, verbose);
    }

    /**
     * Every key of the key table with its value, in the table's order; secrets as {@code ****}, and
     * the credentials in any URL (a token URL's user:password@, a broker URL's ?password=) too.
     */
    private static void summary(PropertiesComponent properties, Map<String, String> config) {
        for (Setting setting : KeyTable.ALL) {
            if (setting.named()) {
                // once for each name its list key gives (mailroute.webhooks.<name>.url: mailroute.webhooks)
                String list = setting.key().substring(0, setting.key().indexOf(Setting.NAME) - 1);
                for (String name : properties.resolveProperty(list).orElse("").split(",")) {
                    if (!name.isBlank()) {
                        shown(properties, setting, setting.key().replace(Setting.NAME, name.trim()), config);
                    }
                }
            } else {
                shown(properties, setting, setting.key(), config);
            }
        }
    }

    private static void shown(PropertiesComponent properties, Setting setting, String key, Map<String, String> config) {
        String value = properties.resolveProperty(key).orElse(setting.named() ? setting.defaultValue() : "");
        config.put(key, setting.secret() && !value.isBlank() ? Secret.MASK
                : setting.key().equals("mailroute.webhooks.<name>.url") ? withoutPath(value)
                : value.contains("://") ? UrlCredentials.mask(value) : value);
    }

    /** A webhook URL as scheme://host:port/...: many receivers keep a token in its path. */
    private static String withoutPath(String url) {
        try {
            URI uri = new URI(url);
            return uri.getScheme() == null || uri.getRawAuthority() == null ? Secret.MASK
                    : uri.getScheme() + "://" + uri.getRawAuthority().replaceAll("^.*@", "****@") + "/...";
        } catch (URISyntaxException e) {
            return Secret.MASK;
        }
    }
}
