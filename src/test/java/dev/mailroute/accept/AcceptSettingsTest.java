package dev.mailroute.accept;

import java.util.Map;
import java.util.Optional;

import dev.mailroute.settings.SettingsReader;
import dev.mailroute.settings.StartupCheckException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** mailroute.message.maxInFlight: auto follows the heap, a value below one message is refused at start. */
class AcceptSettingsTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void autoIsASixteenthOfTheHeapAndNeverLessThanOneMessage() {
        assertThat(AcceptSettings.maxInFlight(reader("auto"), 10 * MIB, 256 * MIB)).isEqualTo(16 * MIB);
        assertThat(AcceptSettings.maxInFlight(reader("auto"), 10 * MIB, 1024 * MIB)).isEqualTo(64 * MIB);
        assertThat(AcceptSettings.maxInFlight(reader("AUTO"), 10 * MIB, 64 * MIB)).isEqualTo(10 * MIB);
    }

    @Test
    void anExplicitValueIsTakenUnlessItCannotHoldOneMessage() {
        assertThat(AcceptSettings.maxInFlight(reader("40MiB"), 10 * MIB, 256 * MIB)).isEqualTo(40 * MIB);
        assertThatThrownBy(() -> AcceptSettings.maxInFlight(reader("5MiB"), 10 * MIB, 256 * MIB))
                .isInstanceOf(StartupCheckException.class)
                .hasMessage("mailroute.message.maxInFlight=5MiB is less than mailroute.message.maxBytes=10MiB: a message"
                            + " of the largest size allowed could never be received. Fix: set it to auto, or to at least"
                            + " mailroute.message.maxBytes");
    }

    private static SettingsReader reader(String maxInFlight) {
        Map<String, String> values = Map.of("mailroute.message.maxInFlight", maxInFlight,
                "mailroute.message.maxBytes", "10MiB");
        return new SettingsReader(key -> Optional.ofNullable(values.get(key)));
    }
}
