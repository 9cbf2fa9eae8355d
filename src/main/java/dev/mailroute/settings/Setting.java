package dev.mailroute.settings;

import java.util.List;

/**
 * One {@code mailroute.*} key as the key table declares it: its name, what kind of value it takes,
 * its default (as written in {@code config/application.properties}), whether it is a secret, the
 * stage that owns it and one line of what it does. Validation, masking, {@code doctor}'s listing
 * and the consistency of the configuration page all come from here.
 *
 * @param choices the words a {@link Kind#CHOICE} takes (empty allowed when the default is empty)
 * @param min the least a {@link Kind#WHOLE} may be
 */
public record Setting(String key, Kind kind, String defaultValue, boolean secret, String stage, String description,
                      List<String> choices, int min) {

    /** What a value must look like; each kind is checked by the {@link SettingsReader} method of the same meaning. */
    public enum Kind {
        /** any text; "required" when the default is not empty */
        TEXT,
        /** a file or folder */
        PATH,
        /** 1 to 65535 */
        PORT,
        /** a whole number of at least {@code min} */
        WHOLE,
        DECIMAL,
        /** true or false, nothing else */
        BOOLEAN,
        /** 30s, 5m, 2h, 2d, or milliseconds */
        DURATION,
        /** bytes, or 10MiB / 10MB */
        SIZE,
        /** a size, or the word auto */
        SIZE_OR_AUTO,
        /** comma-separated */
        LIST,
        /** one of {@code choices} */
        CHOICE
    }

    /** What stands for the name in the key of a named thing: {@code mailroute.webhooks.<name>.url}. */
    public static final String NAME = "<name>";

    /** Whether this is the key of a named thing, read once for each name. */
    public boolean named() {
        return key.contains(NAME);
    }

    /** Whether an empty value is allowed: only where the default itself is empty. */
    public boolean optional() {
        return defaultValue.isEmpty();
    }

    /** The environment variable that overrides it ({@code MAILROUTE_SMTP_HOST}). */
    public String environmentName() {
        return SettingsReader.environmentName(key);
    }
}
