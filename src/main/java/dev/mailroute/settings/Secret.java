package dev.mailroute.settings;

import java.util.Objects;

/**
 * A setting's value that must never be shown: a password, an API key, a client secret. Its
 * {@link #toString()} is {@code ****}, so a record holding one can be logged as it is; only the
 * code that hands it to the library that needs it calls {@link #reveal()}.
 */
public final class Secret {

    public static final String MASK = "****";

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value);
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The value itself, for the one place that must use it. */
    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret secret && secret.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return MASK;
    }
}
