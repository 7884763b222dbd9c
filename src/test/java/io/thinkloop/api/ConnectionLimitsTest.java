package io.thinkloop.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.testkit.FakeClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The per-connection token bucket on a fake clock: bursts, refill and its cap, with no waiting. */
class ConnectionLimitsTest {

    static int allowedNow(ConnectionLimits limits, int attempts) {
        int n = 0;
        for (int i = 0; i < attempts; i++) {
            if (limits.allow()) {
                n++;
            }
        }
        return n;
    }

    @Test
    void aBurstOfTwiceTheRateIsAllowedThenFramesAreDropped() {
        FakeClock clock = new FakeClock();
        ConnectionLimits limits = new ConnectionLimits(1000, 20, clock);
        assertEquals(40, allowedNow(limits, 100));
        assertFalse(limits.allow());
    }

    @Test
    void theBucketRefillsAtTheRateAndNoFurtherThanTheBurst() {
        FakeClock clock = new FakeClock();
        ConnectionLimits limits = new ConnectionLimits(1000, 20, clock);
        allowedNow(limits, 100);
        clock.advance(Duration.ofMillis(49));
        assertFalse(limits.allow(), "not a whole token after 49 ms at 20/s");
        clock.advance(Duration.ofMillis(2));
        assertTrue(limits.allow(), "one token after 51 ms");
        assertFalse(limits.allow());
        clock.advance(Duration.ofMillis(500));
        assertEquals(10, allowedNow(limits, 100), "half a second refills ten");
        clock.advance(Duration.ofHours(1));
        assertEquals(40, allowedNow(limits, 100), "an idle hour refills only up to the burst");
    }

    @Test
    void droppedFramesDoNotSpendTokens() {
        FakeClock clock = new FakeClock();
        ConnectionLimits limits = new ConnectionLimits(1000, 2, clock);
        assertEquals(4, allowedNow(limits, 4));
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofMillis(40));
            assertFalse(limits.allow());
        }
        clock.advance(Duration.ofMillis(110));
        assertTrue(limits.allow(), "510 ms at 2/s is a token, however many frames were dropped meanwhile");
    }

    @Test
    void sizeIsCheckedInCharacters() {
        ConnectionLimits limits = new ConnectionLimits(5, 20, new FakeClock());
        assertFalse(limits.tooLarge("12345"));
        assertTrue(limits.tooLarge("123456"));
    }
}
