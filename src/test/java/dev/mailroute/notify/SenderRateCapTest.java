package dev.mailroute.notify;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SenderRateCapTest {

    @Test
    void aSenderGetsItsShareEachClockHourWhateverTheCaseOfItsAddress() {
        AtomicLong now = new AtomicLong(10 * 3_600_000L + 5);
        SenderRateCap cap = new SenderRateCap(2, now::get);
        assertThat(cap.take("app@example.com")).isTrue();
        assertThat(cap.take("APP@example.com")).isTrue();
        assertThat(cap.take("app@example.com")).as("a third in the same hour").isFalse();
        assertThat(cap.take("other@example.com")).as("another sender has its own share").isTrue();
        now.addAndGet(3_600_000L);
        assertThat(cap.take("app@example.com")).as("the next hour").isTrue();
    }

    @Test
    void pastTenThousandSendersInOneHourANewSenderGetsNone() {
        SenderRateCap cap = new SenderRateCap(1, () -> 0L);
        for (int i = 0; i < 10_000; i++) {
            assertThat(cap.take("sender" + i + "@example.com")).isTrue();
        }
        assertThat(cap.take("one-too-many@example.com")).isFalse();
    }
}
