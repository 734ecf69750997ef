package io.slipstream.core.buffer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The priorities of topics under the {@code priority} drop policy ({@code buffer.priorities}): an
 * ordered list of topic-name patterns, each with an integer priority; a full buffer drops the
 * oldest events of its lowest-priority topic first (docs/protocol.md §6).
 *
 * <p>Immutable and thread-safe. A pattern is a topic name in which {@code *} matches any run of
 * characters (as in the JWT {@code topics} claim); the first pattern that matches a topic gives its
 * priority, and a topic no pattern matches has {@link #DEFAULT_PRIORITY}. A higher number is more
 * important. Bound: at most {@link #MAX_RULES} patterns, so a lookup (once per topic and buffer)
 * stays cheap.
 */
public final class TopicPriorities {

  /** The priority of a topic that no pattern matches. */
  public static final int DEFAULT_PRIORITY = 0;

  /** The most patterns {@code buffer.priorities} may hold. */
  public static final int MAX_RULES = 256;

  /** No patterns: every topic has {@link #DEFAULT_PRIORITY}. */
  public static final TopicPriorities NONE = new TopicPriorities(new LinkedHashMap<>());

  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._*-]{1,128}");

  private final List<String> patterns;
  private final int[] priorities;
  private final Map<String, Integer> asMap;

  private TopicPriorities(LinkedHashMap<String, Integer> rules) {
    this.patterns = List.copyOf(rules.keySet());
    this.priorities = new int[patterns.size()];
    int i = 0;
    for (int p : rules.values()) {
      priorities[i++] = p;
    }
    this.asMap = Collections.unmodifiableMap(new LinkedHashMap<>(rules));
  }

  /**
   * The priorities of {@code rules}, in their iteration order (the order of the configuration
   * file's object).
   *
   * @throws IllegalArgumentException starting with {@code buffer.priorities}, naming the bad
   *     pattern
   */
  public static TopicPriorities of(Map<String, Integer> rules) {
    if (rules.size() > MAX_RULES) {
      throw new IllegalArgumentException(
          "buffer.priorities must hold at most " + MAX_RULES + " patterns, was " + rules.size());
    }
    LinkedHashMap<String, Integer> copy = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> r : rules.entrySet()) {
      if (r.getKey() == null || !VALID.matcher(r.getKey()).matches()) {
        throw new IllegalArgumentException(
            "buffer.priorities patterns must be topic names with * wildcards"
                + " ([A-Za-z0-9._*-]{1,128}), was \""
                + r.getKey()
                + "\"");
      }
      if (r.getValue() == null) {
        throw new IllegalArgumentException(
            "buffer.priorities." + r.getKey() + " must be a whole number, was null");
      }
      copy.put(r.getKey(), r.getValue());
    }
    return copy.isEmpty() ? NONE : new TopicPriorities(copy);
  }

  /** The priority of {@code topic}: that of the first matching pattern, else the default. */
  public int priorityOf(String topic) {
    for (int i = 0; i < priorities.length; i++) {
      if (matches(patterns.get(i), topic)) {
        return priorities[i];
      }
    }
    return DEFAULT_PRIORITY;
  }

  /** The patterns and their priorities, in order. */
  public Map<String, Integer> asMap() {
    return asMap;
  }

  /** Glob match where {@code *} matches any run (also empty); iterative, no regex per lookup. */
  static boolean matches(String pattern, String name) {
    int p = 0;
    int n = 0;
    int star = -1;
    int resume = 0;
    while (n < name.length()) {
      if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        resume = n;
      } else if (p < pattern.length() && pattern.charAt(p) == name.charAt(n)) {
        p++;
        n++;
      } else if (star >= 0) {
        p = star + 1;
        n = ++resume;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TopicPriorities && ((TopicPriorities) o).asMap.equals(asMap);
  }

  @Override
  public int hashCode() {
    return asMap.hashCode();
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    asMap.forEach((k, v) -> parts.add(k + "=" + v));
    return "TopicPriorities" + parts;
  }
}
