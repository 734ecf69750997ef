package io.slipstream.core.qos;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The QoS classes of a node, always with {@link QosClass#STANDARD}, and the rule that picks a
 * connection's class (docs/protocol.md §5).
 *
 * <p>Immutable and thread-safe. Bound: at most {@link #MAX_CLASSES} classes.
 */
public final class QosClasses {

  /** The most classes a node may define, {@code standard} included. */
  public static final int MAX_CLASSES = 64;

  private final Map<String, QosClass> byName;

  private QosClasses(Map<String, QosClass> byName) {
    this.byName = byName;
  }

  /**
   * The classes {@code standard} and {@code others}; a class of {@code others} named {@code
   * standard} replaces the given one.
   *
   * @throws IllegalArgumentException when a name repeats or there are more than {@link
   *     #MAX_CLASSES}
   */
  public static QosClasses of(QosClass standard, Collection<QosClass> others) {
    if (!QosClass.STANDARD.equals(standard.name())) {
      throw new IllegalArgumentException("the default class must be named standard");
    }
    Map<String, QosClass> map = new LinkedHashMap<>();
    map.put(QosClass.STANDARD, standard);
    boolean standardGiven = false;
    for (QosClass c : others) {
      if (c.name().equals(QosClass.STANDARD)) {
        if (standardGiven) {
          throw new IllegalArgumentException("QoS class standard is given twice");
        }
        standardGiven = true;
      } else if (map.containsKey(c.name())) {
        throw new IllegalArgumentException("QoS class " + c.name() + " is given twice");
      }
      map.put(c.name(), c);
    }
    if (map.size() > MAX_CLASSES) {
      throw new IllegalArgumentException(
          "at most " + MAX_CLASSES + " QoS classes, was " + map.size());
    }
    return new QosClasses(Collections.unmodifiableMap(map));
  }

  /** Only {@code standard}. */
  public static QosClasses only(QosClass standard) {
    return of(standard, List.of());
  }

  /** The default class. */
  public QosClass standard() {
    return byName.get(QosClass.STANDARD);
  }

  /** The class named {@code name}, or null. */
  public QosClass get(String name) {
    return name == null ? null : byName.get(name);
  }

  /** Every class, {@code standard} first, then in the order configured. */
  public Collection<QosClass> all() {
    return byName.values();
  }

  /**
   * A connection's class: the one its session kept (an operator moved it there), else its token's
   * {@code qos} claim, else what its {@code hello} asked for if that class may be asked for, else
   * {@code standard}. An unknown or refused name falls through to the next; it is never an error.
   *
   * @param kept the class the session kept, or null
   * @param claimed the token's {@code qos} claim, or null
   * @param asked {@code hello.qos}, or null
   */
  public QosClass choose(String kept, String claimed, String asked) {
    QosClass c = get(kept);
    if (c != null) {
      return c;
    }
    c = get(claimed);
    if (c != null) {
      return c;
    }
    c = get(asked);
    if (c != null && c.askable()) {
      return c;
    }
    return standard();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QosClasses && ((QosClasses) o).byName.equals(byName);
  }

  @Override
  public int hashCode() {
    return byName.hashCode();
  }

  @Override
  public String toString() {
    return "QosClasses" + byName.values();
  }
}
