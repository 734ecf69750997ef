package io.slipstream.loadtest.report;

/**
 * One pass/fail statement a run makes about the server, e.g. "0 changes lost".
 *
 * <p>Immutable.
 */
public record Check(String name, boolean passed, String detail) {

  /** A check that passes when {@code actual == expected}. */
  public static Check equal(String name, long actual, long expected) {
    return new Check(name, actual == expected, "expected " + expected + ", got " + actual);
  }

  /** A check that passes when {@code ok}. */
  public static Check of(String name, boolean ok, String detail) {
    return new Check(name, ok, detail);
  }
}
