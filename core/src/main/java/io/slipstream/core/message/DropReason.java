package io.slipstream.core.message;

/**
 * Why a {@code dropped} message names missing events (the {@code reason} field).
 *
 * <p>Immutable.
 */
public enum DropReason {
  /** The connection's buffer was full and its drop policy discarded the events. */
  BUFFER_FULL("buffer");

  private final String wireName;

  DropReason(String wireName) {
    this.wireName = wireName;
  }

  /** The value of the {@code reason} field. */
  public String wireName() {
    return wireName;
  }
}
