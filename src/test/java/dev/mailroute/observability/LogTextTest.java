package dev.mailroute.observability;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogTextTest {

    @Test
    void lineBreaksAndTabsBecomeOneSpaceAndTheEndsAreTrimmed() {
        assertThat(LogText.oneLine("  550 5.1.1 user\r\n  unknown\tthere \n")).isEqualTo("550 5.1.1 user unknown there");
    }

    @Test
    void terminalEscapesAndDisguisingCharactersAreShownNotActedOn() {
        assertThat(LogText.oneLine("red \u001b[31m bell \u0007 del \u007f")).isEqualTo("red \\x1b[31m bell \\x07 del \\x7f");
        assertThat(LogText.oneLine("invoice\u202egpj.exe and\u2028more")).isEqualTo("invoice\\u202egpj.exe and\\u2028more");
    }

    @Test
    void aQuoteCannotEndTheValueItIsQuotedIn() {
        assertThat(LogText.oneLine("a\" forged=\"b")).isEqualTo("a' forged='b");
    }

    @Test
    void boundedWhenAsked() {
        assertThat(LogText.oneLine("x".repeat(500), 10)).isEqualTo("xxxxxxxxxx...");
        assertThat(LogText.oneLine(null)).isEmpty();
        assertThat(LogText.oneLine("short", 10)).isEqualTo("short");
    }
}
