package dev.mailroute.accept;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class IdempotencyKeysTest {

    @TempDir
    Path dir;

    private Instant now = Instant.parse("2026-11-29T10:00:00Z");

    private IdempotencyKeys keys(long retentionMillis) {
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        };
        IdempotencyKeys keys = new IdempotencyKeys(dir.resolve("keys"), retentionMillis, clock);
        keys.start();
        return keys;
    }

    @Test
    void aClaimedKeyIsADuplicateUntilRemovedAndAConfirmedOneSurvivesARestart() {
        IdempotencyKeys keys = keys(Duration.ofHours(24).toMillis());
        assertThat(keys.add("a")).isTrue();
        assertThat(keys.add("a")).as("claimed, in flight").isFalse();
        keys.remove("a"); // queueing failed: the key is free again
        assertThat(keys.add("a")).isTrue();
        keys.confirm("a");
        assertThat(keys.add("b")).isTrue(); // claimed, never confirmed
        keys.stop();

        IdempotencyKeys restarted = keys(Duration.ofHours(24).toMillis());
        assertThat(restarted.contains("a")).isTrue();
        assertThat(restarted.contains("b")).as("only confirmed keys are kept").isFalse();
    }

    @Test
    void aDuplicatesCompletionWritesNothing() throws Exception {
        IdempotencyKeys keys = keys(Duration.ofHours(24).toMillis());
        keys.add("a");
        keys.confirm("a");
        long size = Files.size(dir.resolve("keys"));
        assertThat(keys.add("a")).isFalse();
        keys.confirm("a"); // Camel confirms a duplicate's key on completion too
        assertThat(Files.size(dir.resolve("keys"))).isEqualTo(size);
        keys.stop();
    }

    @Test
    void keysExpireAfterTheRetentionAndAreCompactedAway() throws Exception {
        IdempotencyKeys keys = keys(Duration.ofHours(1).toMillis());
        keys.add("old");
        keys.confirm("old");
        now = now.plus(Duration.ofMinutes(30));
        keys.add("new");
        keys.confirm("new");
        now = now.plus(Duration.ofMinutes(45));
        assertThat(keys.contains("old")).isFalse();
        assertThat(keys.add("old")).as("expired keys may be used again").isTrue();
        keys.remove("old");
        keys.stop();

        IdempotencyKeys restarted = keys(Duration.ofHours(1).toMillis());
        assertThat(restarted.contains("new")).isTrue();
        assertThat(restarted.size()).isEqualTo(1);
        assertThat(Files.readAllLines(dir.resolve("keys"))).hasSize(1);
    }

    @Test
    void insideATransactionTheKeyIsRecordedOnCommitAndFreedOnRollback() {
        IdempotencyKeys keys = keys(Duration.ofHours(1).toMillis());
        for (int status : new int[] {TransactionSynchronization.STATUS_ROLLED_BACK,
                                     TransactionSynchronization.STATUS_COMMITTED}) {
            TransactionSynchronizationManager.initSynchronization();
            try {
                assertThat(keys.add("in-tx")).isTrue();
                keys.confirm("in-tx");
                for (TransactionSynchronization sync : TransactionSynchronizationManager.getSynchronizations()) {
                    sync.afterCompletion(status);
                }
            } finally {
                TransactionSynchronizationManager.clearSynchronization();
            }
            boolean committed = status == TransactionSynchronization.STATUS_COMMITTED;
            assertThat(keys.contains("in-tx")).as("after %s", committed ? "commit" : "rollback").isEqualTo(committed);
        }
        keys.stop();
        assertThat(keys(Duration.ofHours(1).toMillis()).contains("in-tx")).as("recorded durably").isTrue();
    }

    @Test
    void aTornLastLineIsIgnored() throws Exception {
        IdempotencyKeys keys = keys(Duration.ofHours(1).toMillis());
        keys.add("whole");
        keys.confirm("whole");
        keys.stop();
        Files.writeString(dir.resolve("keys"), "1795", java.nio.file.StandardOpenOption.APPEND);

        assertThat(keys(Duration.ofHours(1).toMillis()).contains("whole")).isTrue();
    }
}
