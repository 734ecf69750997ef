package io.slipstream.loadtest.client;

/**
 * One simulated client, driven by its {@link ClientVerticle}.
 *
 * <p>Confined to the verticle's event loop: every method is called there.
 */
interface Client {

  /** Opens the socket (first time). */
  void connect();

  /** Housekeeping every {@link ClientVerticle#TICK_MS}: acks, planned drops, slow reads. */
  void tick(long nowNanos);

  /** Starts reading again if the client had stopped. */
  void resumeReading();

  /** Closes for good: no reconnect. */
  void stop();

  /** What the client saw so far. */
  ClientReport report();

  /** The last seq applied of {@code topic} (raw clients: messages received); -1 when none. */
  long lastSeq(String topic);
}
