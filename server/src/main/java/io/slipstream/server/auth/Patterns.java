package io.slipstream.server.auth;

import java.util.List;
import java.util.Locale;

/**
 * A set of name patterns in which {@code *} stands for any run of characters (none included):
 * {@code orders.*} matches {@code orders.eu} and {@code orders.}, {@code *} matches everything, and
 * a pattern without {@code *} matches only itself. Used for a token's {@code topics} and for the
 * Origin allow-list.
 *
 * <p>Immutable and thread-safe. {@link #matches} allocates nothing and takes at most (pattern
 * length × name length) steps per pattern, whatever the input: no regular expressions, so no
 * catastrophic backtracking on a hostile name.
 */
public final class Patterns {

  /** Matches every name. */
  public static final Patterns ANY = new Patterns(List.of("*"), false);

  private final String[] patterns;
  private final boolean ignoreCase;

  private Patterns(List<String> patterns, boolean ignoreCase) {
    this.ignoreCase = ignoreCase;
    this.patterns =
        patterns.stream()
            .map(p -> ignoreCase ? p.toLowerCase(Locale.ROOT) : p)
            .toArray(String[]::new);
  }

  /** The patterns, compared exactly (topic names are case-sensitive). */
  public static Patterns of(List<String> patterns) {
    return new Patterns(patterns, false);
  }

  /** The patterns, compared ignoring ASCII case (origins: scheme and host are case-insensitive). */
  public static Patterns ignoringCase(List<String> patterns) {
    return new Patterns(patterns, true);
  }

  /** Whether some pattern matches all of {@code name}. */
  public boolean matches(String name) {
    for (String p : patterns) {
      if (glob(p, name)) {
        return true;
      }
    }
    return false;
  }

  /** How many patterns there are. */
  public int size() {
    return patterns.length;
  }

  /**
   * Greedy wildcard matching with one backtrack point (the last {@code *} seen): when a literal
   * stops matching, the last star swallows one more character and matching resumes after it.
   */
  private boolean glob(String p, String s) {
    int pi = 0;
    int si = 0;
    int star = -1;
    int mark = 0;
    while (si < s.length()) {
      if (pi < p.length() && p.charAt(pi) == '*') {
        star = pi++;
        mark = si;
      } else if (pi < p.length() && same(p.charAt(pi), s.charAt(si))) {
        pi++;
        si++;
      } else if (star >= 0) {
        pi = star + 1;
        si = ++mark;
      } else {
        return false;
      }
    }
    while (pi < p.length() && p.charAt(pi) == '*') {
      pi++;
    }
    return pi == p.length();
  }

  private boolean same(char pattern, char c) {
    if (pattern == c) {
      return true;
    }
    return ignoreCase && c >= 'A' && c <= 'Z' && pattern == (char) (c + ('a' - 'A'));
  }

  @Override
  public String toString() {
    return String.join(",", patterns);
  }
}
