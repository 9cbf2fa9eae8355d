package dev.mailroute.ingress.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

import dev.mailroute.settings.Secret;

/**
 * One bearer key of the HTTP API ({@code mailroute.api.keys} or {@code mailroute.admin.keys}), its
 * name, and the senders a request made with it may use: {@code billing:key-one=*@billing.example.com
 * *@invoices.example.com} lets that key send only as those; a key without {@code =} may send as any
 * sender the global policy allows.
 *
 * <p>The name is what the logs and the ledger say instead of the key (who submitted a message, and
 * which key may read it back). Written before the first {@code ':'}; without one, the name is
 * {@code key-} and the first 8 hex digits of the key's SHA-256 — stable, and no use for guessing
 * the key. A key that itself contains {@code ':'} must therefore be given a name.
 *
 * @param name what the logs and the ledger call the key; never secret
 */
public record ApiKey(String name, Secret key, List<String> senders) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /**
     * One entry of the comma-separated list: {@code [name:]key} or {@code [name:]key=pattern pattern ...}.
     * A refusal names the setting and the entry's position, never the key.
     *
     * @param setting the key of the list, for the refusal
     * @param position the entry's position in the list, from 1
     */
    public static ApiKey parse(Secret entry, String setting, int position) {
        String text = entry.reveal();
        int equals = text.indexOf('=');
        String named = (equals < 0 ? text : text.substring(0, equals)).trim();
        List<String> senders = equals < 0 ? List.of() : Arrays.stream(text.substring(equals + 1).trim().split("\\s+"))
                .filter(p -> !p.isEmpty()).toList();
        int colon = named.indexOf(':');
        String name = colon < 0 ? null : named.substring(0, colon).trim();
        String key = colon < 0 ? named : named.substring(colon + 1).trim();
        String where = setting + " entry " + position;
        if (name != null && !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(where + ": the name before ':' must be 1 to 64 of A-Z a-z 0-9 . _ -"
                                               + " (a key that contains ':' must be given a name: name:key)");
        }
        if (key.isEmpty()) {
            throw new IllegalArgumentException(where + " has no key" + (name == null ? "" : " after '" + name + ":'")
                                               + (equals < 0 ? "" : " before '='"));
        }
        return new ApiKey(name != null ? name : derivedName(key), Secret.of(key), senders);
    }

    /** {@code key-} and the first 8 hex digits of the key's SHA-256. */
    static String derivedName(String key) {
        return "key-" + HexFormat.of().formatHex(sha256(key)).substring(0, 8);
    }

    /** The key's SHA-256: keys are compared by their digests, all of one length, in constant time. */
    static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
