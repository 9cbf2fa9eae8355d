package dev.mailroute.message;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The memory budget: what fits is taken, what does not is refused or waits, one always gets in. */
class InFlightBytesTest {

    @Test
    void whatDoesNotFitIsRefusedUntilItDoes() {
        InFlightBytes budget = new InFlightBytes(100);
        assertThat(budget.tryTake(60)).isTrue();
        assertThat(budget.tryTake(50)).isFalse();
        assertThat(budget.tryTake(40)).isTrue();
        assertThat(budget.held()).isEqualTo(100);
        budget.release(60);
        assertThat(budget.tryTake(50)).isTrue();
    }

    @Test
    void oneMessageLargerThanTheLimitGetsInWhenNothingElseIsHeld() {
        InFlightBytes budget = new InFlightBytes(100);
        assertThat(budget.tryTake(150)).isTrue();
        assertThat(budget.tryTake(1)).isFalse();
    }

    @Test
    void aDeliveryWaitsForRoomAndGoesOnWhenThereIsSome() throws Exception {
        InFlightBytes budget = new InFlightBytes(100);
        budget.tryTake(80);
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
            try {
                budget.take(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThatThrownBy(() -> waiting.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        budget.release(80);
        waiting.get(5, TimeUnit.SECONDS);
        assertThat(budget.held()).isEqualTo(50);
    }
}
