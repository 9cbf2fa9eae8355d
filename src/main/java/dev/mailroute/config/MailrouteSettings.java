package dev.mailroute.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.mailroute.delivery.pickup.PickupFormat;
import dev.mailroute.delivery.smtp.SmtpSettings;
import dev.mailroute.ingress.http.HttpRequestCheck;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.util.TimeUtils;

/**
 * The {@code mailroute.*} keys the Java side needs, read once through Camel's properties component,
 * so a value comes from the same place a route's {@code {{...}}} placeholder would take it from:
 * the environment ({@code MAILROUTE_SMTP_HOST}) first, then {@code config/application.properties}.
 */
public record MailrouteSettings(
        Path inboxDir,
        Path pickupDir,
        Path rejectedDir,
        Path failedDir,
        Path brokerDir,
        String transport,
        PickupFormat pickupFormat,
        SmtpSettings smtp,
        String brokerUrl,
        String brokerHost,
        int brokerPort,
        long maxBytes,
        Path idempotencyFile,
        long idempotencyRetentionMillis,
        List<String> apiKeys,
        int maxBatch,
        long retryInitialDelayMillis,
        double retryMultiplier,
        long retryMaxDelayMillis,
        long retryMaxAgeMillis,
        boolean fallbackToPickup,
        int circuitFailures,
        long circuitProbeIntervalMillis,
        int smtpConnections,
        int maxMessagesPerConnection,
        long smtpIdleTimeoutMillis,
        boolean pickupFsync,
        long summaryIntervalMillis,
        Path spoolDir) {

    public static MailrouteSettings from(PropertiesComponent properties) {
        Reader r = new Reader(properties);
        String transport = r.required("mailroute.transport").toLowerCase(Locale.ROOT);
        if (!transport.equals("pickup") && !transport.equals("smtp")) {
            throw new IllegalArgumentException("mailroute.transport=" + transport + " is not pickup or smtp");
        }
        return new MailrouteSettings(
                r.path("mailroute.inbox.dir"),
                r.path("mailroute.pickup.dir"),
                r.path("mailroute.rejected.dir"),
                r.path("mailroute.failed.dir"),
                r.path("mailroute.broker.dir"),
                transport,
                PickupFormat.parse(r.required("mailroute.pickup.format")),
                new SmtpSettings(
                        r.required("mailroute.smtp.host"),
                        r.integer("mailroute.smtp.port"),
                        r.optional("mailroute.smtp.username"),
                        r.optional("mailroute.smtp.password"),
                        SmtpSettings.Security.parse(r.required("mailroute.smtp.security")),
                        r.millis("mailroute.smtp.timeout"),
                        r.optional("mailroute.smtp.tls.trust")),
                r.optional("mailroute.broker.url"),
                r.required("mailroute.broker.host"),
                r.integer("mailroute.broker.port"),
                ByteSize.parse("mailroute.message.maxBytes", r.required("mailroute.message.maxBytes")),
                r.path("mailroute.idempotency.file"),
                r.millis("mailroute.idempotency.retention"),
                HttpRequestCheck.parseKeys(r.optional("mailroute.api.keys")),
                r.integer("mailroute.http.maxBatch"),
                r.millis("mailroute.retry.initialDelay"),
                r.decimal("mailroute.retry.multiplier"),
                r.millis("mailroute.retry.maxDelay"),
                r.millis("mailroute.retry.maxAge"),
                fallback(r.optional("mailroute.smtp.fallback")),
                r.integer("mailroute.circuit.failures"),
                r.millis("mailroute.circuit.probeInterval"),
                r.integer("mailroute.smtp.connections"),
                r.integer("mailroute.smtp.maxMessagesPerConnection"),
                r.millis("mailroute.smtp.idleTimeout"),
                r.bool("mailroute.pickup.fsync"),
                r.millis("mailroute.log.summaryInterval"),
                r.path("mailroute.spool.dir"));
    }

    @Override
    public String toString() {
        // records print every component: keep the API keys out of logs
        return "MailrouteSettings[transport=" + transport + ", inbox=" + inboxDir + ", smtp=" + smtp
               + ", apiKeys=" + apiKeys.size() + " set]";
    }

    private static boolean fallback(String value) {
        if (value == null || value.equalsIgnoreCase("none")) {
            return false;
        }
        if (value.equalsIgnoreCase("pickup")) {
            return true;
        }
        throw new IllegalArgumentException("mailroute.smtp.fallback=" + value + " is not pickup (or empty)");
    }

    /** The pickup folder is written to: as the transport, or as the relay's fallback. */
    public boolean usesPickup() {
        return transport.equals("pickup") || (transport.equals("smtp") && fallbackToPickup);
    }

    public boolean embeddedBroker() {
        return brokerUrl == null;
    }

    private record Reader(PropertiesComponent properties) {

        String optional(String key) {
            Optional<String> value = properties.resolveProperty(key);
            return value.map(String::trim).filter(v -> !v.isEmpty()).orElse(null);
        }

        String required(String key) {
            String value = optional(key);
            if (value == null) {
                throw new IllegalArgumentException(key + " is not set: add it to config/application.properties"
                                                   + " or set " + key.toUpperCase(Locale.ROOT).replace('.', '_'));
            }
            return value;
        }

        Path path(String key) {
            return Path.of(required(key)).toAbsolutePath().normalize();
        }

        int integer(String key) {
            String value = required(key);
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + "=" + value + " is not a whole number");
            }
        }

        double decimal(String key) {
            String value = required(key);
            try {
                return Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + "=" + value + " is not a number");
            }
        }

        /** Only true or false: Boolean.parseBoolean would read a typo as false and turn a safety off. */
        boolean bool(String key) {
            String value = required(key);
            if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(value);
            }
            throw new IllegalArgumentException(key + "=" + value + " is not true or false");
        }

        long millis(String key) {
            String value = required(key);
            try {
                return TimeUtils.toMilliSeconds(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + "=" + value + " is not a duration; write e.g. 30s, 5m, 2h, 2d");
            }
        }
    }
}
