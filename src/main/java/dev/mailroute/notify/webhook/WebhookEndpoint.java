package dev.mailroute.notify.webhook;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookSigningException;
import dev.mailroute.settings.Secret;
import dev.mailroute.settings.SettingsReader;

/**
 * One receiver of webhooks ({@code mailroute.webhooks.<name>.*}): where its events go, the secrets
 * they are signed with (two while a new one replaces the old), which events it gets, and what it
 * may be: an https:// URL on a public address unless it says otherwise.
 */
public record WebhookEndpoint(String name, URI url, List<Secret> secrets, Set<WebhookEventType> events,
                              boolean allowInsecureLoopback, boolean allowPrivate) {

    /** The least a signing key may be (Standard Webhooks secrets are 24 to 64 bytes; openssl's 32 is usual). */
    static final int MIN_SECRET_BYTES = 24;

    @Override
    public String toString() {
        return "webhook " + name + " (" + shownUrl() + ")"; // never the secrets
    }

    /**
     * The URL as logs and doctor show it: scheme, host and port. Its path and query stay out, as
     * many receivers put a token there (https://hooks.example.com/services/T0/B0/secret).
     */
    public String shownUrl() {
        boolean more = url.getRawPath() != null && url.getRawPath().length() > 1 || url.getRawQuery() != null;
        return url.getScheme() + "://" + url.getRawAuthority() + (more ? "/..." : "/");
    }

    static WebhookEndpoint read(SettingsReader r, String name) {
        String prefix = "mailroute.webhooks." + name + ".";
        boolean loopback = r.bool(prefix + "allowInsecureLoopback");
        return new WebhookEndpoint(name, url(r.required(prefix + "url"), prefix + "url", loopback),
                secrets(r, prefix + "secret"), events(r, prefix + "events"), loopback, r.bool(prefix + "allowPrivate"));
    }

    /** The URL, refused with its key when it could send events in the clear or carry what must not be logged. */
    private static URI url(String value, String key, boolean loopback) {
        URI url;
        try {
            url = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(key + " is not a URL: " + e.getReason());
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (url.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new IllegalArgumentException(key + " must be an https:// URL with a host name");
        }
        if (url.getRawUserInfo() != null) {
            throw new IllegalArgumentException(key + " carries credentials: remove them (the receiver checks the"
                                               + " signature instead; a URL is shown in logs and by doctor)");
        }
        if (scheme.equals("http") && !(loopback && AddressRules.loopbackName(url.getHost()))) {
            throw new IllegalArgumentException(key + " is http://: use https://, or for a receiver on this host"
                                               + " http://127.0.0.1 with " + key.replace(".url", ".allowInsecureLoopback=true"));
        }
        return url;
    }

    private static List<Secret> secrets(SettingsReader r, String key) {
        List<Secret> secrets = r.secrets(key);
        if (secrets.isEmpty() || secrets.size() > 2) {
            throw new IllegalArgumentException(key + " must hold one signing secret (two while rotating): set "
                                               + SettingsReader.environmentName(key)
                                               + "=whsec_$(openssl rand -base64 32)");
        }
        for (Secret secret : secrets) {
            try {
                if (!secret.reveal().startsWith("whsec_")
                    || Base64.getDecoder().decode(secret.reveal().substring(6)).length < MIN_SECRET_BYTES) {
                    throw new IllegalArgumentException("not whsec_ and " + MIN_SECRET_BYTES + " bytes");
                }
                // signed once now: a secret the library cannot sign with stops the start, not every event
                new Webhook(secret.reveal()).sign("msg_check", 0, "{}");
            } catch (RuntimeException | WebhookSigningException e) {
                // the library's words could quote the value: only the key and the fix are said
                throw new IllegalArgumentException(key + " is not a Standard Webhooks secret (whsec_ and base64 of "
                                                   + MIN_SECRET_BYTES + " bytes or more): set "
                                                   + SettingsReader.environmentName(key)
                                                   + "=whsec_$(openssl rand -base64 32)");
            }
        }
        return secrets;
    }

    private static Set<WebhookEventType> events(SettingsReader r, String key) {
        List<String> names = r.list(key);
        if (names.isEmpty()) {
            return EnumSet.allOf(WebhookEventType.class);
        }
        Set<WebhookEventType> events = EnumSet.noneOf(WebhookEventType.class);
        for (String name : names) {
            WebhookEventType type = WebhookEventType.ofState(name.toLowerCase(Locale.ROOT));
            if (type == null) {
                throw new IllegalArgumentException(key + ": " + name + " is not an event; the events are accepted,"
                                                   + " delivered, deferred, bounced, failed, expired, held, released, deleted");
            }
            events.add(type);
        }
        return events;
    }
}
