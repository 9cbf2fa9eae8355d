package dev.mailroute.accept;

import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/**
 * What a header value and a mailbox must look like before they go into a message.
 * Each check answers with the reason to report, or nothing when the value is fine.
 */
final class HeaderRules {

    private HeaderRules() {
    }

    /** CR or LF inside a value would let a caller start a header of its own (header injection). */
    static Optional<String> lineBreak(String value) {
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            return Optional.of("contains a line break (CR or LF); a header value must be one line");
        }
        return Optional.empty();
    }

    static final int MAX_CLIENT_KEY_LENGTH = 200;

    /** A client key (JSON id, Idempotency-Key): 1 to 200 characters, no control characters. */
    static Optional<String> clientKey(String value) {
        if (value.isEmpty() || value.length() > MAX_CLIENT_KEY_LENGTH) {
            return Optional.of("must be 1 to " + MAX_CLIENT_KEY_LENGTH + " characters long");
        }
        if (value.chars().anyMatch(c -> c < 32 || c == 127)) {
            return Optional.of("must not contain control characters");
        }
        return Optional.empty();
    }

    /** RFC 5322 field-name: printable US-ASCII except the colon. */
    static boolean isFieldName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 33 || c > 126 || c == ':') {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses exactly one mailbox ("Name <user@example.com>" or "user@example.com") and returns it
     * with its display name ready for RFC 2047 encoding.
     */
    static InternetAddress mailbox(String field, String value, Problems problems) {
        Optional<String> lineBreak = lineBreak(value);
        if (lineBreak.isPresent()) {
            problems.add(field, lineBreak.get());
            return null;
        }
        if (value.isBlank()) {
            problems.add(field, "is empty; give an address such as ops@example.com");
            return null;
        }
        InternetAddress[] parsed;
        try {
            parsed = InternetAddress.parse(value, true);
        } catch (AddressException e) {
            problems.add(field, "'" + value + "' is not a valid address (" + e.getMessage() + ")");
            return null;
        }
        if (parsed.length != 1) {
            problems.add(field, "'" + value + "' holds " + parsed.length + " addresses; give exactly one");
            return null;
        }
        return checked(field, value, parsed[0], problems);
    }

    /** Validates an address that came out of a parsed header, and re-creates it for clean encoding. */
    static InternetAddress checked(String field, String shown, InternetAddress address, Problems problems) {
        try {
            address.validate();
        } catch (AddressException e) {
            problems.add(field, "'" + shown + "' is not a valid address (" + e.getMessage() + ")");
            return null;
        }
        String addrSpec = address.getAddress();
        if (addrSpec == null || addrSpec.indexOf('@') <= 0 || addrSpec.endsWith("@")) {
            problems.add(field, "'" + shown + "' is not a valid address (user@domain expected)");
            return null;
        }
        if (!StandardCharsets.US_ASCII.newEncoder().canEncode(addrSpec)) {
            problems.add(field, "'" + shown + "' has non-ASCII characters in the address itself (SMTPUTF8 is not supported);"
                                + " only the display name may use them");
            return null;
        }
        try {
            return new InternetAddress(addrSpec, address.getPersonal(), StandardCharsets.UTF_8.name());
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is always supported", e);
        }
    }
}
