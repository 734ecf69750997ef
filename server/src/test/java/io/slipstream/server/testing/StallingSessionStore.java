package io.slipstream.server.testing;

import io.slipstream.core.spi.OpenedSession;
import io.slipstream.core.spi.SessionStore;
import io.slipstream.core.spi.local.LocalSessionStores;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.Position;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A node-local session store whose answers to {@code open} wait until the test lets each one go
 * (or fails it), as a remote store's would; and which may claim to be another node than the one
 * its attachments name, so that every replaced connection looks remote to the server.
 *
 * <p>Thread-safe.
 */
public final class StallingSessionStore implements SessionStore {

  /** One {@code open} the store was asked for and has not answered. */
  public record PendingOpen(OpenedSession answer, CompletableFuture<OpenedSession> stage) {

    /** Lets the answer through. */
    public void release() {
      stage.complete(answer);
    }

    /** Fails the open, as a store that cannot answer does. */
    public void fail() {
      stage.completeExceptionally(new IllegalStateException("the store is unavailable"));
    }
  }

  private final SessionStore local;
  private final String node;
  private final BlockingQueue<PendingOpen> pending = new LinkedBlockingQueue<>();
  private volatile boolean stalling = true;
  /** When set, the next suspend waits for it before the store records it. */
  private final java.util.concurrent.atomic.AtomicReference<CompletableFuture<Void>> suspendGate =
      new java.util.concurrent.atomic.AtomicReference<>();

  /**
   * @param node what {@link #node()} says: {@code "local"} to be the node the attachments name,
   *     anything else to make every replaced connection another node's
   */
  public StallingSessionStore(long ttlMs, String node) {
    this.local = LocalSessionStores.create(ttlMs, 1_000, 256, Clock.system());
    this.node = node;
  }

  /** From now on {@code open} answers at once. */
  public void stopStalling() {
    stalling = false;
    PendingOpen p;
    while ((p = pending.poll()) != null) {
      p.release();
    }
  }

  /**
   * The next {@code suspend} (a connection's end, a replaced connection's hand-over) waits until
   * the returned future completes, then is recorded; later ones are not held.
   */
  public CompletableFuture<Void> stallNextSuspend() {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    suspendGate.set(gate);
    return gate;
  }

  /** The next {@code open} waiting for an answer, waiting up to 20 s for one. */
  public PendingOpen nextOpen() {
    try {
      PendingOpen p = pending.poll(20, TimeUnit.SECONDS);
      if (p == null) {
        throw new AssertionError("no open within 20 s");
      }
      return p;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public String node() {
    return node;
  }

  @Override
  public CompletionStage<OpenedSession> open(
      String resumeToken, String clientId, String connection) {
    // The answer is decided now (the token is used now), and only delivered later.
    OpenedSession answer =
        local.open(resumeToken, clientId, connection).toCompletableFuture().join();
    if (!stalling) {
      return CompletableFuture.completedFuture(answer);
    }
    CompletableFuture<OpenedSession> stage = new CompletableFuture<>();
    pending.add(new PendingOpen(answer, stage));
    return stage;
  }

  @Override
  public CompletionStage<Void> suspend(
      String sessionId, String connection, Map<String, Position> positions) {
    CompletableFuture<Void> gate = suspendGate.getAndSet(null);
    if (gate != null) {
      return gate.thenCompose(v -> local.suspend(sessionId, connection, positions));
    }
    return local.suspend(sessionId, connection, positions);
  }

  @Override
  public CompletionStage<Void> keepQos(String sessionId, String connection, String qos) {
    return local.keepQos(sessionId, connection, qos);
  }

  @Override
  public CompletionStage<Void> tokenDelivered(String sessionId, String connection) {
    return local.tokenDelivered(sessionId, connection);
  }

  @Override
  public CompletionStage<Map<String, Position>> takeHandedOver(
      String sessionId, String connection) {
    return local.takeHandedOver(sessionId, connection);
  }

  @Override
  public CompletionStage<Void> expireDue() {
    return local.expireDue();
  }

  @Override
  public CompletionStage<Boolean> contains(String sessionId) {
    return local.contains(sessionId);
  }

  @Override
  public int size() {
    return local.size();
  }

  @Override
  public void listen(Listener listener) {
    local.listen(listener);
  }
}
