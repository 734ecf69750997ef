package io.slipstream.server.metrics;

/**
 * How a resume ended, for {@code slipstream_resumes_total{outcome}}: the session's (a {@code hello}
 * with {@code resume}) and each restored topic's.
 *
 * <p>Immutable and thread-safe.
 */
public enum ResumeOutcome {
  /** The session was found and continues on this connection. */
  RESUMED,
  /** A restored topic continues by replay from its position: nothing lost. */
  REPLAY,
  /** A restored topic's position could not be replayed: {@code reset}, then a new snapshot. */
  RESET,
  /** The session named by the resume token is gone (its TTL passed, or it was evicted). */
  EXPIRED,
  /** The session store could not answer: the connection closes 1012. */
  REFUSED
}
