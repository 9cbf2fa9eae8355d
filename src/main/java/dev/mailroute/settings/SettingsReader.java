package dev.mailroute.settings;

import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.apache.camel.util.TimeUtils;

/**
 * Reads {@code mailroute.*} keys, each parsed and checked on the spot: a value that does not parse
 * is refused with its key, its value and what to write instead, never replaced by a default. The
 * values come from where a route's {@code {{...}}} placeholder takes them — the environment
 * ({@code MAILROUTE_SMTP_HOST}) first, then {@code config/application.properties}.
 *
 * <p>Only keys declared in the {@link KeyTable} can be read: a key mailroute reads without declaring
 * it is a mistake in mailroute, and fails at once. Whether a key is a secret is the table's to say;
 * {@link #secret} only reads one, and refuses a key the table does not call secret.
 */
public final class SettingsReader {

    private final Function<String, Optional<String>> lookup;

    public SettingsReader(Function<String, Optional<String>> lookup) {
        this.lookup = lookup;
    }

    public String optional(String key) {
        Setting setting = KeyTable.get(key); // undeclared: a mistake in mailroute
        String value = lookup.apply(key).map(String::trim).filter(v -> !v.isEmpty()).orElse(null);
        // a named thing's keys are not in the configuration file for every name: their default is the table's
        return value == null && setting.named() && !setting.defaultValue().isEmpty() ? setting.defaultValue() : value;
    }

    public String required(String key) {
        String value = optional(key);
        if (value == null) {
            throw new IllegalArgumentException(key + " is not set: add it to config/application.properties"
                                               + " or set " + environmentName(key));
        }
        return value;
    }

    /** A secret, or null when unset. */
    public Secret secret(String key) {
        requireSecret(key);
        String value = optional(key);
        return value == null ? null : Secret.of(value);
    }

    /** A comma-separated list of secrets (API keys); empty when unset. Masked like {@link #secret}. */
    public List<Secret> secrets(String key) {
        requireSecret(key);
        return list(key).stream().map(Secret::of).toList();
    }

    private static void requireSecret(String key) {
        if (!KeyTable.get(key).secret()) {
            throw new IllegalStateException(key + " is read as a secret but not declared one in the key table");
        }
    }

    public Path path(String key) {
        return path(key, FileSystems.getDefault());
    }

    /**
     * The folder as that file system reads the value: on Windows a drive path ({@code D:\mail}), a
     * UNC path ({@code \\server\share\Pickup}) or either with forward slashes; relative to the
     * working folder. Tests pass a Windows file system (Jimfs) to see what Windows would make of it.
     */
    public Path path(String key, FileSystem fileSystem) {
        return fileSystem.getPath(required(key)).toAbsolutePath().normalize();
    }

    public int integer(String key) {
        String value = required(key);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "=" + value + " is not a whole number");
        }
    }

    /** A TCP port, 1 to 65535. */
    public int port(String key) {
        int value = integer(key);
        if (value < 1 || value > 65535) {
            throw new IllegalArgumentException(key + "=" + value + " is not a port; it must be 1 to 65535");
        }
        return value;
    }

    /** A whole number of at least {@code min}. */
    public int atLeast(String key, int min) {
        int value = integer(key);
        if (value < min) {
            throw new IllegalArgumentException(key + "=" + value + " is too small; it must be at least " + min);
        }
        return value;
    }

    public double decimal(String key) {
        String value = required(key);
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "=" + value + " is not a number");
        }
    }

    /** Only true or false: Boolean.parseBoolean would read a typo as false and turn a safety off. */
    public boolean bool(String key) {
        String value = required(key);
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new IllegalArgumentException(key + "=" + value + " is not true or false");
    }

    public long millis(String key) {
        String value = required(key);
        long millis;
        try {
            millis = TimeUtils.toMilliSeconds(value);
        } catch (RuntimeException e) {
            // Camel's parser also fails with StringIndexOutOfBoundsException on a word such as "soon"
            throw new IllegalArgumentException(key + "=" + value + " is not a duration; write e.g. 30s, 5m, 2h, 2d");
        }
        if (millis < 0) {
            throw new IllegalArgumentException(key + "=" + value + " is negative; write e.g. 30s, 5m, 2h, 2d");
        }
        return millis;
    }

    public long bytes(String key) {
        return ByteSize.parse(key, required(key));
    }

    /** A comma-separated list; blank entries are ignored; empty or unset is an empty list. */
    public List<String> list(String key) {
        String value = optional(key);
        if (value == null) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    /**
     * The names of named things listed under {@code key} ({@code mailroute.webhooks},
     * {@code mailroute.relays}): lower-case letters and digits, starting with a letter, at most 32,
     * none twice and none of {@code reserved} (words of the keys themselves, which a name could
     * not be told from).
     */
    public List<String> names(String key, String what, Set<String> reserved) {
        List<String> names = list(key);
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (!name.matches("[a-z][a-z0-9]{0,31}") || reserved.contains(name)) {
                throw new IllegalArgumentException(key + ": " + name + " is not a name for " + what + ": use lower-case"
                                                   + " letters and digits, starting with a letter (not "
                                                   + String.join(" or ", reserved.stream().sorted().toList()) + ")");
            }
            if (names.subList(0, i).contains(name)) {
                throw new IllegalArgumentException(key + " names " + name + " twice");
            }
        }
        return names;
    }

    /** One of the given words (case does not matter), as written in the list. */
    public String oneOf(String key, String... allowed) {
        String value = required(key);
        for (String word : allowed) {
            if (word.equalsIgnoreCase(value)) {
                return word;
            }
        }
        throw new IllegalArgumentException(key + "=" + value + " is not " + String.join(" or ", allowed));
    }

    /** {@code mailroute.smtp.host} is overridden by {@code MAILROUTE_SMTP_HOST}. */
    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_');
    }
}
