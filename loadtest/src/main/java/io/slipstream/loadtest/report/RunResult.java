package io.slipstream.loadtest.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a run found: its scenario and options, named sections of figures (in the order they
 * were added), the checks, per-second samples, the resource readings of long runs, for stepped
 * scenarios one row per step, and named tables (e.g. one row per client).
 *
 * <p>Built on the main thread, then read-only.
 */
public final class RunResult {

  private final String scenario;
  private final String question;
  private final String startedAt;
  private final Map<String, String> options;
  private final Map<String, Map<String, Object>> sections = new LinkedHashMap<>();
  private final List<Check> checks = new ArrayList<>();
  private final List<Sample> timeline = new ArrayList<>();
  private final List<Map<String, Object>> steps = new ArrayList<>();
  private final List<ResourceSample> resources = new ArrayList<>();
  private final Map<String, List<Map<String, Object>>> tables = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();

  /** A result for {@code scenario}, which answers {@code question}. */
  public RunResult(
      String scenario, String question, String startedAt, Map<String, String> options) {
    this.scenario = scenario;
    this.question = question;
    this.startedAt = startedAt;
    this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
  }

  /** Sets figure {@code name} of {@code section} (numbers, strings, booleans). */
  public RunResult put(String section, String name, Object value) {
    sections.computeIfAbsent(section, s -> new LinkedHashMap<>()).put(name, value);
    return this;
  }

  /** Adds a check. */
  public RunResult check(Check c) {
    checks.add(c);
    return this;
  }

  /** Adds a free-text note (e.g. why a figure is missing). */
  public RunResult note(String n) {
    notes.add(n);
    return this;
  }

  /** Sets the per-second samples. */
  public RunResult timeline(List<Sample> samples) {
    timeline.clear();
    timeline.addAll(samples);
    return this;
  }

  /** Sets the resource readings taken every few seconds (long runs). */
  public RunResult resources(List<ResourceSample> samples) {
    resources.clear();
    resources.addAll(samples);
    return this;
  }

  /** Sets the table {@code name}: rows sharing their keys, in order. */
  public RunResult table(String name, List<Map<String, Object>> rows) {
    List<Map<String, Object>> copy = new ArrayList<>(rows.size());
    for (Map<String, Object> row : rows) {
      copy.add(new LinkedHashMap<>(row));
    }
    tables.put(name, copy);
    return this;
  }

  /** Adds one step row (stepped scenarios). */
  public RunResult step(Map<String, Object> row) {
    steps.add(new LinkedHashMap<>(row));
    return this;
  }

  /** Whether every check passed. */
  public boolean passed() {
    return checks.stream().allMatch(Check::passed);
  }

  public String scenario() {
    return scenario;
  }

  public String question() {
    return question;
  }

  public String startedAt() {
    return startedAt;
  }

  public Map<String, String> options() {
    return options;
  }

  public Map<String, Map<String, Object>> sections() {
    return Collections.unmodifiableMap(sections);
  }

  /** A figure, or null. */
  public Object get(String section, String name) {
    Map<String, Object> s = sections.get(section);
    return s == null ? null : s.get(name);
  }

  public List<Check> checks() {
    return Collections.unmodifiableList(checks);
  }

  public List<Sample> timeline() {
    return Collections.unmodifiableList(timeline);
  }

  public List<Map<String, Object>> steps() {
    return Collections.unmodifiableList(steps);
  }

  public List<ResourceSample> resources() {
    return Collections.unmodifiableList(resources);
  }

  /** The named tables, in the order they were set. */
  public Map<String, List<Map<String, Object>>> tables() {
    return Collections.unmodifiableMap(tables);
  }

  public List<String> notes() {
    return Collections.unmodifiableList(notes);
  }
}
