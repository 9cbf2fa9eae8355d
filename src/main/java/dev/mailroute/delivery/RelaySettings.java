package dev.mailroute.delivery;

import java.nio.file.Path;

import dev.mailroute.delivery.smtp.CircuitSettings;
import dev.mailroute.delivery.smtp.PoolSettings;
import dev.mailroute.delivery.smtp.SmtpSettings;
import dev.mailroute.delivery.smtp.oauth2.OAuth2Settings;
import dev.mailroute.settings.SettingsReader;

/**
 * One relay mail leaves through, with its own transport, connections, throttle and circuit: the
 * relay named {@value #DEFAULT} ({@code mailroute.transport}, {@code mailroute.smtp.*},
 * {@code mailroute.throttle.*}, {@code mailroute.circuit.*}, {@code mailroute.pickup.dir} — the
 * keys of a gateway with one relay, unchanged) or a named one ({@code mailroute.relays.<name>.*}).
 *
 * @param oauth2 where its access tokens come from when it logs in with OAuth 2.0; else null
 * @param pickupDir the folder its pickup transport (or fallback) writes into
 */
public record RelaySettings(String name, Transport transport, SmtpSettings smtp, OAuth2Settings oauth2,
                            PoolSettings pool, CircuitSettings circuit, Path pickupDir, int throttleRate,
                            long throttlePeriodMillis) {

    public static final String DEFAULT = "default";

    /** The relay named default, from the settings the gateway has always had. */
    public static RelaySettings gatewayDefault(SettingsReader r, Transport transport, SmtpSettings smtp,
                                               OAuth2Settings oauth2, PoolSettings pool, CircuitSettings circuit,
                                               Path pickupDir) {
        return new RelaySettings(DEFAULT, transport, smtp, oauth2, pool, circuit, pickupDir,
                r.atLeast("mailroute.throttle.rate", 1), r.millis("mailroute.throttle.period"));
    }

    /**
     * A relay named in {@code mailroute.relays}. An SMTP relay needs its host; a pickup relay's
     * folder is {@code .pickup.dir}, or the gateway's pickup folder when that is not set. A relay
     * logging in with OAuth 2.0 gets tokens for its own mailbox ({@code .username}) from its own
     * provider ({@code .oauth2.*}) when it names one, else from the gateway's
     * ({@code mailroute.smtp.oauth2.*}).
     */
    public static RelaySettings named(SettingsReader r, String name, Path gatewayPickupDir) {
        String p = "mailroute.relays." + name + ".";
        Transport transport = Transport.parse(p + "transport", r.required(p + "transport"));
        SmtpSettings smtp = null;
        OAuth2Settings oauth2 = null;
        if (transport == Transport.SMTP) {
            smtp = SmtpSettings.from(r, p);
            if (smtp.auth() == SmtpSettings.Auth.OAUTH2) {
                // its own provider when it names one (another tenant, Google beside Microsoft), else the gateway's
                oauth2 = r.optional(p + "oauth2.provider") != null ? OAuth2Settings.from(r, p + "oauth2.", p + "username")
                        : OAuth2Settings.from(r, p + "username");
            }
        }
        Path pickupDir = r.optional(p + "pickup.dir") != null ? r.path(p + "pickup.dir") : gatewayPickupDir;
        return new RelaySettings(name, transport, smtp, oauth2, PoolSettings.from(r, p),
                CircuitSettings.from(r, p + "circuit.", p + "fallback"), pickupDir,
                r.atLeast(p + "throttle.rate", 1), r.millis(p + "throttle.period"));
    }

    /**
     * Where the keys of its SMTP settings (host, port, username, security, tls.trust) begin:
     * {@code mailroute.smtp.} for the relay named default, {@code mailroute.relays.<name>.} for the others.
     */
    public String smtpKeyPrefix() {
        return isDefault() ? "mailroute.smtp." : "mailroute.relays." + name + ".";
    }

    public boolean isDefault() {
        return DEFAULT.equals(name);
    }

    /** Whether this relay's pickup folder is written to: as its transport, or as its fallback. */
    public boolean usesPickup() {
        return transport == Transport.PICKUP || circuit.fallbackToPickup();
    }

    /** Where it delivers, as the ledger and the log show it: host:port, or the pickup folder. */
    public String destination() {
        return transport == Transport.SMTP ? smtp.host() + ":" + smtp.port() : pickupDir.toString();
    }

    /**
     * The name of one of its beans: {@code smtpMailSender} for the relay named default (the name
     * it always had), {@code smtpMailSender-bulk} for the relay named bulk.
     */
    public String bean(String kind) {
        return beanSuffix().isEmpty() ? kind : kind + beanSuffix();
    }

    /** What follows a bean's kind in the name of this relay's bean: "" for default, "-name" else. */
    public String beanSuffix() {
        return isDefault() ? "" : "-" + name;
    }
}
