package dev.mailroute.message;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** DSN options as the queue keeps them: every value comes back as it was given, whatever its characters. */
class DsnTest {

    @Test
    void envidAndOrcptRoundTripThroughTheQueueWithCommasSpacesAndPluses() {
        Dsn given = new Dsn(Set.of(Dsn.Notify.SUCCESS, Dsn.Notify.FAILURE), Dsn.Ret.HDRS, "run 42+=x",
                Map.of("\"doe,jane\"@example.org", "rfc822;\"Doe, Jane\"@example.org", "b@example.com", "rfc822;B@example.com"));
        Dsn read = Dsn.fromLines(given.notifyLine(), given.retLine(), given.envidLine(), given.orcptLine());
        assertThat(read).isEqualTo(given);
        assertThat(given.orcptLine()).doesNotContain(" ,").matches("[^ ,]+ [^ ,]+,[^ ,]+ [^ ,]+");
    }

    @Test
    void anUnreadableEnvidOrOrcptLeavesNotifyAndRetAsTheyWere() {
        Dsn read = Dsn.fromLines("NEVER", "FULL", "a+0Db", "not-a-pair");
        assertThat(read.notifyOn()).containsExactly(Dsn.Notify.NEVER);
        assertThat(read.ret()).isEqualTo(Dsn.Ret.FULL);
        assertThat(read.envid()).isNull();
        assertThat(read.originalRecipients()).isEmpty();
    }

    @Test
    void xtextRefusesControlCharactersAndMalformedEscapes() {
        assertThat(Xtext.decode("a+2Bb+3Dc+20d")).isEqualTo("a+b=c d");
        assertThatThrownBy(() -> Xtext.decode("a+0D+0Ab")).hasMessageContaining("not printable ASCII");
        assertThatThrownBy(() -> Xtext.decode("a+2b")).hasMessageContaining("upper-case hex");
        assertThatThrownBy(() -> Xtext.decode("a=b")).hasMessageContaining("does not allow");
        assertThat(Xtext.encode("é")).isEqualTo("+C3+A9");
    }
}
