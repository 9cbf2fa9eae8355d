package dev.mailroute.queue;

import java.nio.file.Path;

import dev.mailroute.settings.Secret;
import dev.mailroute.settings.SettingsReader;
import dev.mailroute.settings.UrlCredentials;

/**
 * The queue ({@code mailroute.broker.*}): an external broker's URL and mailroute's credentials
 * there, or, when the URL is empty, the embedded broker — where it keeps its journal, where it
 * accepts JMS clients (with TLS when a certificate is given), and the one account JMS submitters
 * log in with.
 *
 * @param submitPassword null: generated on the first start and kept in the broker folder
 * @param tlsCert PEM certificate (chain) of the embedded broker's TCP acceptor, or null for plain TCP
 * @param tlsKey PEM private key that goes with {@code tlsCert}
 * @param handshakeTimeoutMillis how long a client of the embedded broker's JMS port has for its first
 *        bytes (the TLS handshake included), and then again for logging in, before it is cut off
 */
public record BrokerSettings(String url, String username, Secret password, String host, int port, Path dir,
                             String submitUser, Secret submitPassword, Path tlsCert, Path tlsKey, int keyCache,
                             long callTimeoutMillis, long handshakeTimeoutMillis) {

    private static final String HANDSHAKE_TIMEOUT = "mailroute.broker.handshakeTimeout";

    /** Artemis counts its handshake timeouts in whole seconds, and 0 would switch them off. */
    private static final long MIN_HANDSHAKE_TIMEOUT_MILLIS = 1000;

    /** A login takes milliseconds; a deadline of many minutes would hold what the setting is there to free. */
    private static final long MAX_HANDSHAKE_TIMEOUT_MILLIS = 10 * 60 * 1000;

    public static BrokerSettings from(SettingsReader r) {
        String cert = r.optional("mailroute.broker.tls.cert");
        String key = r.optional("mailroute.broker.tls.key");
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException((cert == null ? "mailroute.broker.tls.key" : "mailroute.broker.tls.cert")
                                               + " is set without " + (cert == null ? "mailroute.broker.tls.cert"
                    : "mailroute.broker.tls.key") + ": TLS needs both the certificate and its private key (PEM files)");
        }
        return new BrokerSettings(r.optional("mailroute.broker.url"), r.optional("mailroute.broker.username"),
                r.secret("mailroute.broker.password"), r.required("mailroute.broker.host"),
                r.port("mailroute.broker.port"), r.path("mailroute.broker.dir"), r.required("mailroute.broker.submitUser"),
                r.secret("mailroute.broker.submitPassword"), cert == null ? null : r.path("mailroute.broker.tls.cert"),
                key == null ? null : r.path("mailroute.broker.tls.key"), r.atLeast("mailroute.broker.keyCache", 1000),
                r.millis("mailroute.broker.callTimeout"), handshakeTimeout(r));
    }

    private static long handshakeTimeout(SettingsReader r) {
        long millis = r.millis(HANDSHAKE_TIMEOUT);
        if (millis < MIN_HANDSHAKE_TIMEOUT_MILLIS || millis > MAX_HANDSHAKE_TIMEOUT_MILLIS) {
            throw new IllegalArgumentException(HANDSHAKE_TIMEOUT + "=" + r.required(HANDSHAKE_TIMEOUT)
                                               + " is out of range; it must be 1s to 10m (the time a JMS client has"
                                               + " to connect and log in)");
        }
        return millis;
    }

    /** {@code handshakeTimeoutMillis} in the whole seconds Artemis' acceptor parameters take, rounded up. */
    public int handshakeTimeoutSeconds() {
        return (int) ((handshakeTimeoutMillis + 999) / 1000);
    }

    /**
     * A broker URL fit for a log line, doctor or a health answer: the value of every user and
     * password parameter (and a user:password@ part) replaced by ****.
     */
    public static String redacted(String url) {
        return UrlCredentials.mask(url);
    }

    /** Whether the URL itself carries credentials (they belong in mailroute.broker.username/password). */
    public boolean urlCarriesCredentials() {
        return UrlCredentials.present(url);
    }

    public boolean embedded() {
        return url == null;
    }

    public boolean tls() {
        return tlsCert != null;
    }

    /**
     * Where a JMS client on this machine reaches the embedded broker (doctor, tests): plain TCP, or
     * TLS trusting the broker's own certificate file.
     */
    public String clientUrl() {
        String reachable = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        return "tcp://" + reachable + ":" + port
               + (tls() ? "?sslEnabled=true;trustStoreType=PEM;trustStorePath=" + tlsCert : "");
    }
}
