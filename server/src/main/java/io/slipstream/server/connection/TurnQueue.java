package io.slipstream.server.connection;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The write pumps of one event loop that have more to write than one turn allows, run in slices of
 * at most {@link #SLICE_NANOS}, with the loop's sockets read between slices.
 *
 * <p>Why not {@code runOnContext}: Netty's event loop runs its queued tasks for up to {@code
 * io.netty.eventLoop.maxTaskProcessingQuantumMs} (1,000 ms by default) before it polls its sockets
 * again, and a pump that re-queues itself keeps that queue from ever running empty. During a resume
 * storm, the connections that came back first would replay their hundreds of frames each, turn after
 * turn, while the handshakes and {@code hello}s of the others waited unread for up to a second.
 * Here a slice is re-armed as a scheduled task, which Netty only takes after its next poll: every
 * slice is followed by reading what the other clients sent.
 *
 * <p>Confined to its event loop's thread: {@link #of} returns the calling thread's queue. Bounded:
 * a pump is queued at most once at a time (its {@code pumpScheduled} flag), so the queue holds at
 * most the loop's connections.
 */
final class TurnQueue {

  /** How long one slice may run before the loop polls its sockets again. */
  static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private static final FastThreadLocal<TurnQueue> LOOPS = new FastThreadLocal<>();

  private final EventLoop loop;
  private final ArrayDeque<Turn> turns = new ArrayDeque<>();
  private final Runnable slice = this::runSlice;
  private boolean armed;

  /** A pump's next turn, run on its own Vert.x context. */
  record Turn(ContextInternal context, Runnable pump) {}

  private TurnQueue(EventLoop loop) {
    this.loop = loop;
  }

  /** A pump's next turn, to run on {@code context}. */
  static Turn turn(Context context, Runnable pump) {
    return new Turn((ContextInternal) context, pump);
  }

  /**
   * Runs {@code turn} in a later slice of its context's event loop; off that loop (a worker, or
   * another thread) the same as {@code runOnContext}.
   */
  static void later(Turn turn) {
    TurnQueue q = of(turn.context());
    if (q == null) {
      turn.context().runOnContext(v -> turn.pump().run());
    } else {
      q.add(turn);
    }
  }

  /** The calling thread's queue when it is {@code context}'s event loop, else null. */
  private static TurnQueue of(ContextInternal context) {
    EventLoop loop = context.isEventLoopContext() ? context.nettyEventLoop() : null;
    if (loop == null || !loop.inEventLoop()) {
      return null;
    }
    TurnQueue q = LOOPS.get();
    if (q == null || q.loop != loop) {
      q = new TurnQueue(loop);
      LOOPS.set(q);
    }
    return q;
  }

  private void add(Turn turn) {
    turns.addLast(turn);
    if (!armed) {
      armed = true;
      loop.schedule(slice, 0, TimeUnit.NANOSECONDS);
    }
  }

  private void runSlice() {
    armed = false;
    long deadline = System.nanoTime() + SLICE_NANOS;
    // Only the turns queued before this slice: a pump that re-queues itself waits for the next.
    int n = turns.size();
    for (int i = 0; i < n; i++) {
      Turn t = turns.pollFirst();
      t.context().dispatch(t.pump());
      if (System.nanoTime() - deadline >= 0) {
        break;
      }
    }
    if (!turns.isEmpty() && !armed) {
      armed = true;
      loop.schedule(slice, 0, TimeUnit.NANOSECONDS);
    }
  }
}
