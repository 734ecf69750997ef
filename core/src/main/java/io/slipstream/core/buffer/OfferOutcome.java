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
  /** The buffer was full; the drop policy discarded an event (this one or older ones). */
  DROPPED,
  /** The buffer was full under the {@code disconnect} policy: close the connection with 4001. */
  DISCONNECT
}
