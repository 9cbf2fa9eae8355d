package dev.mailroute.settings;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as operators write them: {@code 26214400}, {@code 25MiB}, {@code 25MB}, {@code 512KiB}. */
public final class ByteSize {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]i?b?|b)?", Pattern.CASE_INSENSITIVE);

    private ByteSize() {
    }

    public static long parse(String key, String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(key + "=" + text + " is not a size; write e.g. 26214400, 25MiB or 25MB");
        }
        long number = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        boolean binary = unit.contains("i");
        long base = binary ? 1024 : 1000;
        return switch (unit.charAt(0)) {
            case 'k' -> number * base;
            case 'm' -> number * base * base;
            case 'g' -> number * base * base * base;
            default -> number;
        };
    }
}
