package dev.mailroute.delivery.smtp.oauth2;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.mailroute.settings.Secret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * When the shared token is fetched, and by how many threads: the timing rules on their own, with a
 * token source that counts its calls and can be held in the middle of one. (The real token
 * endpoints are in OAuth2DeliveryTest and OAuth2ProvidersTest.)
 */
class SharedTokenTest {

    private final ExecutorService threads = Executors.newFixedThreadPool(8);
    private final MutableClock clock = new MutableClock();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void manySessionsAtOnceWaitForOneFetch() throws Exception {
        CountingSource source = new CountingSource(Duration.ofHours(1));
        source.hold = new CountDownLatch(1);
        SharedToken shared = new SharedToken(source, clock);
        List<Future<AccessToken>> gets = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(8);
        for (int i = 0; i < 8; i++) {
            gets.add(threads.submit(() -> {
                started.countDown();
                return shared.get();
            }));
        }
        // every session has asked, and one of them is inside the fetch, held there
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(source.entered.tryAcquire(5, TimeUnit.SECONDS)).isTrue();
        source.hold.countDown();
        for (Future<AccessToken> get : gets) {
            assertThat(get.get(5, TimeUnit.SECONDS).value().reveal()).isEqualTo("token-1");
        }
        assertThat(source.calls.get()).isEqualTo(1);
    }

    @Test
    void renewedAfterThreeQuartersOfItsLifetimeByOneThreadWhileTheOthersKeepTheCurrentOne() throws Exception {
        CountingSource source = new CountingSource(Duration.ofMinutes(60));
        SharedToken shared = new SharedToken(source, clock);
        assertThat(shared.get().value().reveal()).isEqualTo("token-1");
        clock.advance(Duration.ofMinutes(44));
        assertThat(shared.get().value().reveal()).as("not yet due").isEqualTo("token-1");

        clock.advance(Duration.ofMinutes(2)); // 46 of 60 minutes
        source.hold = new CountDownLatch(1);
        source.entered.drainPermits();
        Future<AccessToken> renewing = threads.submit(shared::get);
        assertThat(source.entered.tryAcquire(5, TimeUnit.SECONDS)).as("the renewing thread is inside the fetch").isTrue();
        for (int i = 0; i < 5; i++) {
            assertThat(threads.submit(shared::get).get(1, TimeUnit.SECONDS).value().reveal())
                    .as("the others go on with the current token").isEqualTo("token-1");
        }
        source.hold.countDown();
        assertThat(renewing.get(5, TimeUnit.SECONDS).value().reveal()).isEqualTo("token-2");
        assertThat(shared.get().value().reveal()).isEqualTo("token-2");
        assertThat(source.calls.get()).isEqualTo(2);
    }

    @Test
    void aFailedEarlyRenewalKeepsTheValidTokenAndIsTriedAgainLater() throws Exception {
        CountingSource source = new CountingSource(Duration.ofMinutes(60));
        SharedToken shared = new SharedToken(source, clock);
        shared.get();
        clock.advance(Duration.ofMinutes(50));
        source.down = true;
        assertThat(shared.get().value().reveal()).isEqualTo("token-1");
        assertThat(shared.get().value().reveal()).as("not retried at once").isEqualTo("token-1");
        assertThat(source.calls.get()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(11));
        source.down = false;
        assertThat(shared.get().value().reveal()).isEqualTo("token-3");
    }

    @Test
    void aRefusedTokenIsReplacedOnceHoweverManySessionsWereRefused() throws Exception {
        CountingSource source = new CountingSource(Duration.ofHours(1));
        SharedToken shared = new SharedToken(source, clock);
        String first = shared.get().value().reveal();
        for (int i = 0; i < 4; i++) {
            shared.refused(first); // four sessions refused with it
        }
        assertThat(shared.get().value().reveal()).isEqualTo("token-2");
        shared.refused(first); // a late report about the old token changes nothing
        assertThat(shared.get().value().reveal()).isEqualTo("token-2");
        assertThat(source.calls.get()).isEqualTo(2);
    }

    @Test
    void anExpiredTokenIsNeverHandedOut() throws Exception {
        CountingSource source = new CountingSource(Duration.ofMinutes(10));
        SharedToken shared = new SharedToken(source, clock);
        shared.get();
        clock.advance(Duration.ofMinutes(10));
        source.down = true;
        assertThatThrownBy(shared::get).isInstanceOf(TokenException.class).hasMessageContaining("down");
    }

    /** Tokens token-1, token-2, ... each valid for the given lifetime from the clock's now. */
    private final class CountingSource implements TokenProvider {
        final AtomicInteger calls = new AtomicInteger();
        /** A permit for every fetch begun: a test waits on it instead of guessing how long a thread takes to get there. */
        final Semaphore entered = new Semaphore(0);
        final Duration lifetime;
        volatile CountDownLatch hold;
        volatile boolean down;

        CountingSource(Duration lifetime) {
            this.lifetime = lifetime;
        }

        @Override
        public AccessToken fetch() throws TokenException {
            int n = calls.incrementAndGet();
            entered.release();
            CountDownLatch latch = hold;
            if (latch != null) {
                try {
                    latch.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (down) {
                throw new TokenException("the endpoint is down", false, null);
            }
            Instant now = clock.instant();
            return new AccessToken(Secret.of("token-" + n), now, now.plus(lifetime), null);
        }

        @Override
        public String endpoint() {
            return "https://tokens.example.com/token";
        }
    }

    private static final class MutableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-12-01T00:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
