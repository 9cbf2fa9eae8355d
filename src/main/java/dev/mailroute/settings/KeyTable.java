package dev.mailroute.settings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.mailroute.settings.Setting.Kind;

/**
 * Every {@code mailroute.*} key, declared once, stage by stage: the one table that start-up
 * validation, secret masking, {@code doctor}'s listing and the configuration page agree with
 * ({@code KeyTableTest} fails when config/application.properties, docs/configuration.md or the route
 * files say otherwise). A key that is not here cannot be read ({@link SettingsReader}).
 *
 * <p>Keys read by route files ({@code {{mailroute.throttle.rate}}}) are declared and validated here
 * like any other, so that a value the route would choke on stops the start with its key named.
 */
public final class KeyTable {

    /** Every key, in the order of config/application.properties. */
    public static final List<Setting> ALL;
    private static final Map<String, Setting> BY_KEY;

    static {
        Table t = new Table();
        t.stage("folders");
        t.path("mailroute.data.dir", "data", "parent of the other folders and of the broker journal");
        t.path("mailroute.spool.dir", "{{mailroute.data.dir}}/spool", "where Camel spills large message bodies while streaming them");

        t.stage("inbox");
        t.path("mailroute.inbox.dir", "{{mailroute.data.dir}}/inbox", "where *.json and *.eml requests are dropped (read by routes/ingress-file.yaml)");
        t.add("mailroute.inbox.minAge", Kind.DURATION, "1000", "how long a file must be unchanged before it is read (read by routes/ingress-file.yaml)");
        t.whole("mailroute.inbox.filesPerTransaction", "100", 1, "most files of one poll queued in one transaction (read by routes/ingress-file.yaml)");
        t.path("mailroute.rejected.dir", "{{mailroute.data.dir}}/rejected", "rejected inbox files, each with <name>.error.txt");

        t.stage("http");
        t.add("mailroute.http.host", Kind.TEXT, "127.0.0.1", "where the HTTP API, health and metrics listen");
        t.add("mailroute.http.port", Kind.PORT, "8080", "the HTTP port");
        t.secret("mailroute.api.keys", Kind.LIST, "bearer keys for the API, each optionally named (name:key) and with the senders it may use");
        t.whole("mailroute.http.maxBatch", "1000", 1, "most items in one batch request");
        t.add("mailroute.http.idleTimeout", Kind.DURATION, "30s", "a connection must begin a request within this of opening or of the previous answer");
        t.add("mailroute.http.requestTimeout", Kind.DURATION, "120s", "a request's body must arrive within this of its head");
        t.whole("mailroute.http.maxConnectionsPerClient", "16", 1, "connections one client address may hold open at once");
        t.secret("mailroute.admin.keys", Kind.LIST, "bearer keys that may read every message's story (name:key, or key with a derived name); empty = none may");
        t.add("mailroute.observe.requireKey", Kind.BOOLEAN, "true", "metrics and the OpenAPI document need an API key too when keys are set");

        t.stage("smtpd");
        t.add("mailroute.smtpd.enabled", Kind.BOOLEAN, "true", "whether the SMTP listener runs");
        t.add("mailroute.smtpd.host", Kind.TEXT, "127.0.0.1", "where the SMTP listener listens");
        t.add("mailroute.smtpd.port", Kind.PORT, "2525", "the SMTP listener's port");
        t.add("mailroute.smtpd.hostname", Kind.TEXT, "", "the name in the greeting and in Received:; empty = this machine's name");
        t.add("mailroute.smtpd.allowedClients", Kind.LIST, "127.0.0.0/8, ::1", "CIDR blocks of the clients that may connect");
        t.path("mailroute.smtpd.users", "", "a file of user:{bcrypt}hash lines; empty = no AUTH");
        t.add("mailroute.smtpd.requireAuth", Kind.BOOLEAN, "false", "MAIL before AUTH gets 530");
        t.path("mailroute.smtpd.tls.cert", "", "PEM certificate (chain) for STARTTLS; empty = no STARTTLS");
        t.path("mailroute.smtpd.tls.key", "", "the PEM private key of that certificate");
        t.add("mailroute.smtpd.tls.required", Kind.BOOLEAN, "false", "MAIL before STARTTLS gets 530");
        t.whole("mailroute.smtpd.maxRecipients", "1000", 1, "more RCPTs get 452 4.5.3");
        t.whole("mailroute.smtpd.maxConnections", "100", 1, "more sessions at once get 421 4.7.0");
        t.add("mailroute.smtpd.timeout", Kind.DURATION, "300s", "a session silent this long is closed");
        t.whole("mailroute.smtpd.auth.maxFailures", "3", 1, "failed AUTH attempts after which the session is closed");

        t.stage("accept");
        t.add("mailroute.message.maxBytes", Kind.SIZE, "10MiB", "largest request and largest built message");
        t.add("mailroute.message.maxInFlight", Kind.SIZE_OR_AUTO, "auto", "bytes of messages held in memory at once; auto = a sixteenth of the heap");
        t.add("mailroute.senders.allowed", Kind.LIST, "", "who may be named as sender, e.g. *@example.com; empty = anyone");
        t.add("mailroute.idempotency.retention", Kind.DURATION, "24h", "how long a client key is remembered");
        t.path("mailroute.idempotency.file", "{{mailroute.data.dir}}/idempotency-keys", "where client keys are kept across restarts");
        t.whole("mailroute.merge.maxRecipients", "10000", 1, "most recipients of one merge request");

        t.stage("queue");
        t.add("mailroute.broker.url", Kind.TEXT, "", "empty: the embedded broker; else an external broker's URL");
        t.add("mailroute.broker.username", Kind.TEXT, "", "mailroute's account on an external broker");
        t.secret("mailroute.broker.password", Kind.TEXT, "the password of that account");
        t.path("mailroute.broker.dir", "{{mailroute.data.dir}}/broker", "the embedded broker's journal");
        t.add("mailroute.broker.host", Kind.TEXT, "127.0.0.1", "where the embedded broker accepts JMS clients");
        t.add("mailroute.broker.port", Kind.PORT, "61616", "the embedded broker's JMS port");
        t.add("mailroute.broker.submitUser", Kind.TEXT, "submitter", "the account JMS submitters log in with");
        t.secret("mailroute.broker.submitPassword", Kind.TEXT, "the submitters' password; empty = generated on the first start");
        t.path("mailroute.broker.tls.cert", "", "PEM certificate (chain) for TLS on the JMS port; empty = plain TCP");
        t.path("mailroute.broker.tls.key", "", "the PEM private key of that certificate");
        t.whole("mailroute.broker.keyCache", "100000", 1000, "client keys the broker remembers for every instance that shares it");
        t.add("mailroute.broker.callTimeout", Kind.DURATION, "2s", "the longest a send, a commit or a connection attempt waits for the broker");
        t.add("mailroute.broker.handshakeTimeout", Kind.DURATION, "10s", "a JMS connection that has not logged in this long after connecting is closed");

        t.stage("deliver");
        t.choice("mailroute.transport", "pickup", "how mail leaves: pickup folder or SMTP relay", "pickup", "smtp");
        t.whole("mailroute.deliver.consumers", "8", 1, "consumers on each relay's queue, mail.outbound and mail.relay.<name> (read by routes/deliver.yaml)");
        t.whole("mailroute.throttle.rate", "100000", 1, "at most this many deliveries per period (read by routes/deliver.yaml)");
        t.add("mailroute.throttle.period", Kind.DURATION, "1s", "the throttle's period (read by routes/deliver.yaml)");
        t.choice("mailroute.throttle.scope", "instance", "instance: each instance applies the throttle on its own; gateway: one instance at a time delivers (mail.outbound is an exclusive queue), so the throttle holds for the whole gateway", "instance", "gateway");
        t.add("mailroute.retry.initialDelay", Kind.DURATION, "30s", "wait before the second attempt of a deferred delivery");
        t.add("mailroute.retry.multiplier", Kind.DECIMAL, "2", "each further wait is this times longer");
        t.add("mailroute.retry.maxDelay", Kind.DURATION, "30m", "the longest wait between attempts");
        t.add("mailroute.retry.maxAge", Kind.DURATION, "2d", "after this long since the first attempt, a deferred message is parked");
        t.path("mailroute.failed.dir", "{{mailroute.data.dir}}/failed", "parked messages");

        t.stage("pickup");
        t.path("mailroute.pickup.dir", "{{mailroute.data.dir}}/pickup", "where the pickup transport writes <id>.eml");
        t.choice("mailroute.pickup.format", "x-sender", "the form of pickup files", "x-sender", "headers");
        t.add("mailroute.pickup.fsync", Kind.BOOLEAN, "true", "sync each pickup file and the folder before it counts as delivered");
        t.add("mailroute.pickup.group", Kind.TEXT, "", "the group of the pickup folder and files, for a pickup service's account; empty = the process's");

        t.stage("smtp");
        t.add("mailroute.smtp.host", Kind.TEXT, "localhost", "the relay");
        t.add("mailroute.smtp.port", Kind.PORT, "25", "the relay's port");
        t.choice("mailroute.smtp.auth", "", "how mailroute logs in to the relay; empty = password when a username is set", "password", "oauth2");
        t.add("mailroute.smtp.username", Kind.TEXT, "", "the account, or the mailbox mail is sent as (oauth2)");
        t.secret("mailroute.smtp.password", Kind.TEXT, "the relay password");
        t.choice("mailroute.smtp.security", "none", "TLS to the relay", "none", "starttls", "starttls-required", "tls");
        t.add("mailroute.smtp.timeout", Kind.DURATION, "30s", "connect, read and write timeout");
        t.add("mailroute.smtp.tls.trust", Kind.TEXT, "", "hosts whose TLS certificate is trusted without a chain check");
        t.whole("mailroute.smtp.connections", "4", 1, "SMTP sessions at once, kept open and reused");
        t.whole("mailroute.smtp.maxMessagesPerConnection", "100", 1, "a session is closed after this many messages");
        t.add("mailroute.smtp.idleTimeout", Kind.DURATION, "30s", "a session is closed after this long unused");
        t.choice("mailroute.smtp.fallback", "", "pickup: deliver into the pickup folder while the relay circuit is open", "pickup");

        t.stage("oauth2");
        t.choice("mailroute.smtp.oauth2.provider", "", "who issues the relay's OAuth 2.0 tokens", "microsoft", "google", "generic");
        oauth2Keys(t, "mailroute.smtp.oauth2.");

        t.stage("circuit");
        t.whole("mailroute.circuit.failures", "5", 1, "connection failures in a row that open the relay circuit");
        t.add("mailroute.circuit.probeInterval", Kind.DURATION, "30s", "how often an open circuit probes the relay");

        t.stage("relays");
        t.add("mailroute.relays", Kind.LIST, "", "the names of further relays, each set up by the mailroute.relays.<name>.* keys and chosen by the routing file; empty = only the relay named default (mailroute.smtp.*)");
        t.choice("mailroute.relays.<name>.transport", "smtp", "how mail leaves through this relay: SMTP or a pickup folder", "smtp", "pickup");
        t.add("mailroute.relays.<name>.host", Kind.TEXT, "", "the relay (smtp)");
        t.add("mailroute.relays.<name>.port", Kind.PORT, "25", "the relay's port");
        t.choice("mailroute.relays.<name>.auth", "", "how mailroute logs in; empty = password when a username is set; oauth2 = with the tokens of mailroute.smtp.oauth2.*", "password", "oauth2");
        t.add("mailroute.relays.<name>.username", Kind.TEXT, "", "the account, or the mailbox mail is sent as (oauth2)");
        t.secret("mailroute.relays.<name>.password", Kind.TEXT, "the relay password");
        t.choice("mailroute.relays.<name>.security", "none", "TLS to the relay", "none", "starttls", "starttls-required", "tls");
        t.add("mailroute.relays.<name>.timeout", Kind.DURATION, "30s", "connect, read and write timeout");
        t.add("mailroute.relays.<name>.tls.trust", Kind.TEXT, "", "hosts whose TLS certificate is trusted without a chain check");
        t.whole("mailroute.relays.<name>.connections", "4", 1, "SMTP sessions at once, kept open and reused");
        t.whole("mailroute.relays.<name>.maxMessagesPerConnection", "100", 1, "a session is closed after this many messages");
        t.add("mailroute.relays.<name>.idleTimeout", Kind.DURATION, "30s", "a session is closed after this long unused");
        t.whole("mailroute.relays.<name>.throttle.rate", "100000", 1, "at most this many deliveries per period through this relay");
        t.add("mailroute.relays.<name>.throttle.period", Kind.DURATION, "1s", "the throttle's period");
        t.whole("mailroute.relays.<name>.circuit.failures", "5", 1, "connection failures in a row that open this relay's circuit");
        t.add("mailroute.relays.<name>.circuit.probeInterval", Kind.DURATION, "30s", "how often an open circuit probes the relay");
        t.choice("mailroute.relays.<name>.fallback", "", "pickup: deliver into the relay's pickup folder while its circuit is open", "pickup");
        t.path("mailroute.relays.<name>.pickup.dir", "", "the folder of a pickup relay (or its fallback); empty = mailroute.pickup.dir");
        t.choice("mailroute.relays.<name>.oauth2.provider", "", "auth=oauth2: who issues this relay's tokens; empty = the provider of mailroute.smtp.oauth2.*", "microsoft", "google", "generic");
        oauth2Keys(t, "mailroute.relays.<name>.oauth2.");

        t.stage("routing");
        t.path("mailroute.routing.file", "", "the routing table (YAML) that chooses each recipient's relay; empty = every message to the relay named default");
        t.add("mailroute.routing.checkInterval", Kind.DURATION, "5s", "how often the routing file is looked at for a change (at least 1s)");

        t.stage("security");
        t.add("mailroute.security.allowUnauthenticated", Kind.BOOLEAN, "false", "lets the API listen beyond loopback without keys");

        t.stage("observability");
        t.add("mailroute.log.summaryInterval", Kind.DURATION, "60s", "how often the summary line is logged while there is traffic");

        t.stage("ledger");
        t.add("mailroute.ledger.enabled", Kind.BOOLEAN, "true", "whether each message's story is kept (the status API and track read it)");
        t.add("mailroute.ledger.url", Kind.TEXT, "", "a jdbc:postgresql:// URL to share one ledger between instances; empty = the SQLite file");
        t.path("mailroute.ledger.file", "{{mailroute.data.dir}}/ledger.db", "the SQLite ledger, when no URL is set");
        t.add("mailroute.ledger.username", Kind.TEXT, "", "the PostgreSQL account");
        t.secret("mailroute.ledger.password", Kind.TEXT, "the password of that account");
        t.add("mailroute.ledger.subjects", Kind.BOOLEAN, "true", "keep each message's subject; false keeps none");
        t.add("mailroute.ledger.retention", Kind.DURATION, "30d", "how long a message's story is kept");
        t.whole("mailroute.ledger.buffer", "50000", 1000, "recipient entries that may wait in memory while the database is slow or gone (about 350 bytes each); more are dropped and counted");

        t.stage("notify");
        t.add("mailroute.bounce.enabled", Kind.BOOLEAN, "true", "send a delivery status report to the sender of a message that failed for good");
        t.add("mailroute.bounce.sender", Kind.TEXT, "", "the envelope sender and From of reports; empty = the null sender <> (From MAILER-DAEMON@<reportingMta>)");
        t.add("mailroute.bounce.copyTo", Kind.TEXT, "", "a mailbox that gets a copy of every report; empty = none");
        t.add("mailroute.bounce.domains", Kind.LIST, "", "only senders in these domains (and their subdomains) get reports; empty = every sender");
        t.whole("mailroute.bounce.maxPerSender", "100", 1, "reports one sender address gets in a clock hour, at most (per instance); more are counted, not sent");
        t.add("mailroute.bounce.delayWarning", Kind.DURATION, "12h", "a message still being retried this long after its first attempt gets one delay notice to its sender; 0 = none");
        t.add("mailroute.bounce.reportingMta", Kind.TEXT, "", "the name in a report's Reporting-MTA; empty = mailroute.smtpd.hostname, else this machine's name");

        t.add("mailroute.webhooks", Kind.LIST, "", "the names of the webhook endpoints, each set up by the mailroute.webhooks.<name>.* keys; empty = none");
        t.add("mailroute.webhooks.<name>.url", Kind.TEXT, "", "where the events are POSTed: https://, or http:// to a loopback address with allowInsecureLoopback");
        t.secret("mailroute.webhooks.<name>.secret", Kind.LIST, "the signing secret (whsec_...); two, comma-separated, while a new one replaces the old");
        t.add("mailroute.webhooks.<name>.events", Kind.LIST, "", "the events it gets: accepted, delivered, deferred, bounced, failed, expired, held, released, deleted; empty = all");
        t.add("mailroute.webhooks.<name>.allowInsecureLoopback", Kind.BOOLEAN, "false", "allow http:// and a loopback address (a receiver on this host, tests)");
        t.add("mailroute.webhooks.<name>.allowPrivate", Kind.BOOLEAN, "false", "allow an address in a private range (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7); link-local and metadata addresses never");
        t.add("mailroute.webhooks.timeout", Kind.DURATION, "10s", "connect and read timeout of one POST (at least 1s); a POST not answered within three times this is cancelled");
        t.add("mailroute.webhooks.retryFor", Kind.DURATION, "24h", "how long an event is retried while its receiver is down or answers 5xx, 408 or 429");
        t.add("mailroute.webhooks.maxRetryInterval", Kind.DURATION, "5m", "the longest wait between two tries of an event (the waits double from 1 s)");

        ALL = List.copyOf(t.settings);
        BY_KEY = t.settings.stream().collect(Collectors.toMap(Setting::key, s -> s, (a, b) -> {
            throw new IllegalStateException(a.key() + " is declared twice");
        }, LinkedHashMap::new));
    }

    private KeyTable() {
    }

    /**
     * The declaration of a key; a key that has none is a mistake in mailroute, not in the
     * configuration. A key of a named thing ({@code mailroute.webhooks.crm.url}) is declared once
     * with {@value Setting#NAME} in place of the name.
     */
    public static Setting get(String key) {
        Setting setting = BY_KEY.get(key);
        if (setting == null) {
            setting = BY_KEY.get(family(key));
        }
        if (setting == null) {
            throw new IllegalStateException(key + " is not declared in the key table (settings/KeyTable)");
        }
        return setting;
    }

    public static boolean declared(String key) {
        return BY_KEY.containsKey(key) || BY_KEY.containsKey(family(key));
    }

    /** {@code mailroute.webhooks.crm.url} as declared: {@code mailroute.webhooks.<name>.url}. */
    static String family(String key) {
        for (Setting s : ALL) {
            if (s.named()) {
                String prefix = s.key().substring(0, s.key().indexOf(Setting.NAME));
                String rest = key.startsWith(prefix) ? key.substring(prefix.length()) : "";
                int dot = rest.indexOf('.');
                if (dot > 0) {
                    return prefix + Setting.NAME + rest.substring(dot);
                }
            }
        }
        return key;
    }

    /** The keys whose values are masked wherever the configuration is shown. */
    public static Set<String> secretKeys() {
        return ALL.stream().filter(Setting::secret).map(Setting::key).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Checks every key's value against its kind, the ones only route files read included: the first
     * value that does not parse is thrown, with its key and what to write instead.
     */
    public static void check(SettingsReader r) {
        for (Setting s : ALL) {
            if (s.named() || s.optional() && r.optional(s.key()) == null) {
                // a named thing's keys are checked by the stage that reads them, name by name
                continue;
            }
            switch (s.kind()) {
                case TEXT, LIST -> r.required(s.key());
                case PATH -> r.path(s.key());
                case PORT -> r.port(s.key());
                case WHOLE -> r.atLeast(s.key(), s.min());
                case DECIMAL -> r.decimal(s.key());
                case BOOLEAN -> r.bool(s.key());
                case DURATION -> r.millis(s.key());
                case SIZE -> r.bytes(s.key());
                case SIZE_OR_AUTO -> {
                    if (!"auto".equalsIgnoreCase(r.required(s.key()))) {
                        r.bytes(s.key());
                    }
                }
                case CHOICE -> r.oneOf(s.key(), s.choices().toArray(String[]::new));
                default -> throw new IllegalStateException("no check for " + s.kind());
            }
        }
    }

    /**
     * The keys of an OAuth 2.0 token provider but its provider key, under {@code prefix}: the
     * gateway's ({@code mailroute.smtp.oauth2.}) and a named relay's own, read by one
     * OAuth2Settings.from.
     */
    private static void oauth2Keys(Table t, String prefix) {
        t.add(prefix + "tenant", Kind.TEXT, "", "microsoft: the directory (tenant) id");
        t.add(prefix + "authority", Kind.TEXT, "https://login.microsoftonline.com/", "microsoft: the Entra authority");
        t.add(prefix + "clientId", Kind.TEXT, "", "microsoft, generic: the application (client) id");
        t.secret(prefix + "clientSecret", Kind.TEXT, "microsoft without a certificate, generic: the client secret");
        t.path(prefix + "certificate", "", "microsoft: a certificate credential (PEM) instead of the secret");
        t.path(prefix + "privateKey", "", "microsoft: the private key of that certificate (PEM)");
        t.path(prefix + "serviceAccountKey", "", "google: the service account's JSON key file");
        t.add(prefix + "tokenUrl", Kind.TEXT, "", "generic: the token endpoint, https:// only");
        t.add(prefix + "scope", Kind.TEXT, "", "the scope asked for; empty = the provider's for SMTP");
        t.path(prefix + "tls.ca", "", "PEM certificates the token endpoint's certificate must chain to");
        t.add(prefix + "timeout", Kind.DURATION, "10s", "a whole token request, connect to answer");
    }

    /** Collects the declarations, stage by stage. */
    private static final class Table {
        private final List<Setting> settings = new ArrayList<>();
        private String stage;

        void stage(String name) {
            stage = name;
        }

        void add(String key, Kind kind, String defaultValue, String description) {
            settings.add(new Setting(key, kind, defaultValue, false, stage, description, List.of(), 0));
        }

        void path(String key, String defaultValue, String description) {
            add(key, Kind.PATH, defaultValue, description);
        }

        void whole(String key, String defaultValue, int min, String description) {
            settings.add(new Setting(key, Kind.WHOLE, defaultValue, false, stage, description, List.of(), min));
        }

        void choice(String key, String defaultValue, String description, String... choices) {
            settings.add(new Setting(key, Kind.CHOICE, defaultValue, false, stage, description, List.of(choices), 0));
        }

        /** A secret: from the environment, empty by default, masked wherever the configuration is shown. */
        void secret(String key, Kind kind, String description) {
            settings.add(new Setting(key, kind, "", true, stage, description, List.of(), 0));
        }
    }
}
