package io.slipstream.server.connection;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The per-connection counters behind close codes 4004 and 4029, on a hand-driven clock. */
class LimitsTest {

  @Test
  void twentyErrorsInTenSecondsAreAllowedTheTwentyFirstIsNot() {
    ErrorBudget budget = new ErrorBudget();
    for (int i = 0; i < 20; i++) {
      assertThat(budget.exceeded(1_000 + i)).isFalse();
    }
    assertThat(budget.exceeded(1_020)).isTrue();
  }

  @Test
  void errorsOlderThanTheWindowNoLongerCount() {
    ErrorBudget budget = new ErrorBudget();
    for (int i = 0; i < 20; i++) {
      assertThat(budget.exceeded(i * 100)).isFalse();
    }
    // The oldest error (t=0) is 10 s old now.
    assertThat(budget.exceeded(10_000)).isFalse();
    assertThat(budget.exceeded(10_050)).isTrue();
  }

  @Test
  void rateLimiterAllowsTheBurstThenTheRate() {
    RateLimiter r = new RateLimiter(10, 5, 0);
    for (int i = 0; i < 5; i++) {
      assertThat(r.tryAcquire(0)).isTrue();
    }
    assertThat(r.tryAcquire(0)).isFalse();
    assertThat(r.tryAcquire(99)).isFalse();
    assertThat(r.tryAcquire(100)).isTrue();
    // Refill is capped at the burst.
    for (int i = 0; i < 5; i++) {
      assertThat(r.tryAcquire(60_000)).isTrue();
    }
    assertThat(r.tryAcquire(60_000)).isFalse();
  }
}
