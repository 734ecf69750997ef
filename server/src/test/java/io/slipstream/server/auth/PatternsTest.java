package io.slipstream.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code *} wildcards of token topics and the Origin allow-list. */
class PatternsTest {

  @Test
  void aStarStandsForAnyRunIncludingNone() {
    Patterns p = Patterns.of(List.of("orders.*", "*.prices", "a*b*c"));
    assertThat(p.matches("orders.eu")).isTrue();
    assertThat(p.matches("orders.")).isTrue();
    assertThat(p.matches("orders.eu.north")).isTrue();
    assertThat(p.matches("orders")).isFalse();
    assertThat(p.matches("fx.prices")).isTrue();
    assertThat(p.matches("prices")).isFalse();
    assertThat(p.matches("abc")).isTrue();
    assertThat(p.matches("aXbYc")).isTrue();
    assertThat(p.matches("aXbYcZ")).isFalse();
    assertThat(p.matches("acb")).isFalse();
  }

  @Test
  void withoutAStarOnlyTheNameItselfMatches() {
    Patterns p = Patterns.of(List.of("prices"));
    assertThat(p.matches("prices")).isTrue();
    assertThat(p.matches("prices2")).isFalse();
    assertThat(p.matches("Prices")).as("topic names are case-sensitive").isFalse();
    assertThat(p.matches("")).isFalse();
  }

  @Test
  void anyAndNone() {
    assertThat(Patterns.ANY.matches("anything.at-all")).isTrue();
    assertThat(Patterns.of(List.of()).matches("t")).isFalse();
    assertThat(Patterns.of(List.of("**")).matches("t")).isTrue();
  }

  @Test
  void aHostileNameTakesBoundedTime() {
    // Exponential for a backtracking regex; quadratic at worst here.
    Patterns p = Patterns.of(List.of("*a*a*a*a*a*a*a*a*b"));
    assertThat(p.matches("a".repeat(128))).isFalse();
  }

  @Test
  void originsIgnoreCaseAndAMissingOriginIsAllowed() {
    OriginPolicy o = OriginPolicy.of(List.of("https://*.Example.com", "null"));
    assertThat(o.allows("https://app.example.com")).isTrue();
    assertThat(o.allows("HTTPS://APP.EXAMPLE.COM")).isTrue();
    assertThat(o.allows("http://app.example.com")).isFalse();
    assertThat(o.allows("https://example.com.evil.net")).isFalse();
    assertThat(o.allows("null")).isTrue();
    assertThat(o.allows(null)).isTrue();
    assertThat(OriginPolicy.of(List.of()).allows("https://a.example")).isFalse();
    assertThat(OriginPolicy.ANY.allows("https://a.example")).isTrue();
  }
}
