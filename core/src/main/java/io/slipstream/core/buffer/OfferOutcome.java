package io.slipstream.core.buffer;

/**
 * What {@link ClientBuffer#offer} did with a live event: a value, never an exception, so the hot
 * path stays branch-cheap.
 *
 * <p>Immutable.
 */
public enum OfferOutcome {
  /** The event is queued and nothing was dropped. */
  ACCEPTED,
  /**
   * The buffer was full; the drop policy discarded events (this one, others, or both), each named
   * by a queued {@code dropped} marker.
   */
  DROPPED,
  /**
   * The event was refused and nothing changed: close the connection with 4001. Under the {@code
   * disconnect} policy the buffer was full; under a drop policy not even the markers naming every
   * queued event would fit in the bounds (more topics than they can name).
   */
  DISCONNECT
}
