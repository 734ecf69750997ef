package io.slipstream.server.connection;

import io.slipstream.core.buffer.BufferSink;
import io.slipstream.core.buffer.ClientBuffer;
import io.slipstream.core.message.DropReason;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.server.protocol.Outbound;
import io.slipstream.server.transport.Transport;
import io.vertx.core.Context;
import java.util.ArrayDeque;
import java.util.function.LongConsumer;

/**
 * A connection's write pump: moves frames to the socket only while the socket's own write queue has
 * room, and waits for its drain otherwise.
 *
 * <p>Confined to its connection's event loop, like everything it touches.
 *
 * <p>What is written, in priority order: control replies ({@code welcome}, {@code subscribed}
 * errors, ...), then catch-up frames of subscriptions that are not live yet, alternating with live
 * events from the buffer, so neither starves the other. Catch-up frames are generated lazily from
 * the topic's state and replay log (docs/protocol.md §5), so they never occupy the buffer and are
 * never dropped. One turn writes at most {@link #PUMP_BATCH} frames, then yields the event loop to
 * the other connections on it: the rest is written in later turns that the loop's {@link TurnQueue}
 * runs between reads of its sockets. A turn that runs inline (a reply, a change, a drain) writes at
 * most {@link #INLINE_CATCH_UP} catch-up frames, so that a client whose {@code hello} starts a long
 * replay does not hold up the {@code hello}s of the clients read after it.
 */
final class WritePump implements BufferSink, AdaptiveBound.Drain {

  /** Control messages queued before reading from the client pauses. */
  static final int CONTROL_HIGH_WATER = 256;

  /** Control messages queued below which reading resumes. */
  static final int CONTROL_LOW_WATER = 64;

  /** Frames one pump turn writes before yielding the event loop to other connections. */
  static final int PUMP_BATCH = 256;

  /**
   * Catch-up frames a turn writes when it runs inline rather than from the {@link TurnQueue}: the
   * first change of a replay goes out with the welcome, the rest between the loop's reads. Measured
   * on a storm of 200 resumes (docs/benchmarks.md, goal 6): 32 here held the later {@code hello}s
   * behind the earlier clients' inline frames (hello to welcome p50 20 ms, p99 42 ms); 4 gave 4-13
   * ms and 22-25 ms.
   */
  static final int INLINE_CATCH_UP = 4;

  /**
   * How long, in ms, the socket may take no frame before catching-up subscriptions count what
   * their topics publish meanwhile as lag: the dip tolerance of the fill, since a socket that is
   * read drains in chunks, and a wait this short is one of them.
   */
  static final long CATCH_UP_STALL_MS = ClientBuffer.DIP_TOLERANCE_MS;

  private final Context context;
  private final Transport transport;
  private final Outbox out;
  private final ClientBuffer buffer;
  private final Runnable afterBufferPoll;
  private final LongConsumer catchUpLag;
  private final Clock clock;
  private final TurnQueue.Turn queuedTurn;

  /**
   * Replies waiting for the socket. Bounded: replies are produced only by reading the client, which
   * pauses at {@link #CONTROL_HIGH_WATER}; one message read past that mark adds at most its own
   * replies (a {@code hello} restoring {@code maxSubscriptions} topics the most).
   */
  private final ArrayDeque<byte[]> control = new ArrayDeque<>();

  /**
   * Subscriptions still catching up, in the order they asked. Bounded by {@code maxSubscriptions}:
   * a subscription is queued only while it is not live, and at most once.
   */
  private final ArrayDeque<Subscription> catchingUp = new ArrayDeque<>();

  /*
   * The sizes of control and catchingUp, kept here: a delivery asks whether either holds anything,
   * and reading two counters of this object costs no cache miss on the deques (docs/benchmarks.md).
   */
  private int replies;
  private int catching;

  private boolean stopped;
  private boolean readingPaused;
  private boolean pumping;
  private boolean pumpScheduled;
  private boolean awaitingDrain;
  /** When the wait for the socket's drain began, in clock millis; meaningful while awaiting. */
  private long drainAwaitedSince;
  private boolean bufferTurn;

  /** A turn {@link #writeThrough} opened, which the next pump ends (and continues until then). */
  private boolean throughTurn;

  /** Entries taken from the buffer to the socket since the connection opened. */
  private long drained;

  /** Whether the buffer ran empty since {@link #takeSaturated} last asked. */
  private boolean bufferEmptied = true;

  /** The class's outbound rate: live events and catch-up frames take a token each. */
  private Throttle throttle = Throttle.UNLIMITED;
  /** The timer that resumes pumping when the next token is due; -1 when none is set. */
  private long throttleTimer = -1;

  /**
   * @param afterBufferPoll runs after each entry the buffer hands out (the fill has fallen)
   * @param catchUpLag hears, after every turn, how many changes the subscriptions still catching
   *     up lag their topics by ({@link Subscription#lag()}, summed) once the socket has taken
   *     nothing for {@link #CATCH_UP_STALL_MS}, else 0
   * @param clock times the wait for the socket's drain (monotonic millis)
   */
  WritePump(
      Context context,
      Transport transport,
      Outbox out,
      ClientBuffer buffer,
      Runnable afterBufferPoll,
      LongConsumer catchUpLag,
      Clock clock) {
    this.context = context;
    this.transport = transport;
    this.out = out;
    this.buffer = buffer;
    this.afterBufferPoll = afterBufferPoll;
    this.catchUpLag = catchUpLag;
    this.clock = clock;
    this.queuedTurn = TurnQueue.turn(context, this::queuedPump);
  }

  /**
   * Limits live events and catch-up frames to {@code rate} a second from now on (0: no limit);
   * control replies are never throttled. What waits stays in the buffer and meets its policy.
   */
  void rate(double rate) {
    throttle = rate > 0 ? new Throttle(rate, clock.millis()) : Throttle.UNLIMITED;
    if (throttleTimer >= 0) {
      context.owner().cancelTimer(throttleTimer);
      throttleTimer = -1;
    }
    pump();
  }

  /** Queues a control reply ahead of every event, and pumps. */
  void send(byte[] message) {
    if (stopped) {
      return;
    }
    control.addLast(message);
    replies++;
    if (replies >= CONTROL_HIGH_WATER && !readingPaused) {
      // Replies are produced only by reading: stop reading until the client takes them.
      readingPaused = true;
      transport.pauseReading();
    }
    pump();
  }

  /**
   * Writes {@code message} now, past everything queued and past the socket's write-queue mark: only
   * for one small message per rare event (a {@code warning}), so the excess stays bounded.
   */
  void writeNow(byte[] message) {
    if (!stopped) {
      out.write(message);
    }
  }

  /** Queues {@code s} to catch up (it has begun, or fell behind), and pumps. */
  void catchUp(Subscription s) {
    catchingUp.add(s);
    catching++;
    pump();
  }

  /** Like {@link #catchUp} without pumping, for a caller that pumps once after a batch. */
  void catchUpLater(Subscription s) {
    catchingUp.add(s);
    catching++;
  }

  /** Forgets {@code s}, which ended or restarts. */
  void forget(Subscription s) {
    if (catchingUp.remove(s)) {
      catching--;
      reportLag();
    }
  }

  /**
   * Writes live change {@code e} straight to the socket when it would be the next frame anyway and
   * the buffer lets it pass ({@link ClientBuffer#passesThrough}): no reply, no catch-up and nothing
   * buffered before it, no rate limit, and a socket with room. The usual delivery of a fan-out to
   * clients that keep up then skips the buffer's offer and poll. Opens a turn that the next {@link
   * #pump()} ends, so that one publish's changes still leave with one flush.
   *
   * @return false when {@code e} must be offered to the buffer instead (then the pump takes it)
   */
  boolean writeThrough(ChangeEvent e) {
    if (stopped
        || pumping
        || awaitingDrain
        || throttle.limited()
        || throttleTimer >= 0
        || replies != 0
        || catching != 0
        || !buffer.passesThrough(e)
        || out.full()) {
      return false;
    }
    if (!throughTurn) {
      throughTurn = true;
      out.beginTurn();
    }
    out.writeChange(e);
    // As if offered and polled: what the adaptive bound counts as taken by the client.
    drained++;
    return true;
  }

  /** Writes until the socket is full, nothing is left, or the turn's budget is spent. */
  void pump() {
    pump(INLINE_CATCH_UP);
  }

  /** A turn the {@link TurnQueue} gives: the full batch. */
  private void queuedPump() {
    pumpScheduled = false;
    pump(PUMP_BATCH);
  }

  private void pump(int catchUpBudget) {
    if (pumping) {
      return;
    }
    if (stopped) {
      endThroughTurn();
      return;
    }
    pumping = true;
    throughTurn = false;
    try {
      int budget = PUMP_BATCH;
      out.beginTurn();
      while (!stopped) {
        if (out.full()) {
          awaitDrain();
          return;
        }
        if (budget-- == 0) {
          schedulePump();
          return;
        }
        if (replies != 0) {
          replies--;
          out.write(control.pollFirst());
          if (readingPaused && replies <= CONTROL_LOW_WATER) {
            readingPaused = false;
            transport.resumeReading();
          }
          continue;
        }
        if (throttleTimer >= 0 || (throttle.limited() && !takeToken())) {
          return;
        }
        if (!buffer.isEmpty() && (bufferTurn || catching == 0)) {
          bufferTurn = false;
          buffer.poll(this);
          drained++;
          if (buffer.isEmpty()) {
            bufferEmptied = true;
          }
          afterBufferPoll.run();
          continue;
        }
        if (catching == 0) {
          return;
        }
        Subscription s = catchingUp.peekFirst();
        if (catchUpBudget-- == 0) {
          throttle.giveBack(); // the token buys the frame in the next turn
          schedulePump();
          return;
        }
        bufferTurn = true;
        byte[] frame = s.nextCatchUpFrame();
        if (frame == null) {
          catchingUp.pollFirst();
          catching--;
          throttle.giveBack(); // the token bought nothing
        } else {
          out.write(frame);
        }
      }
    } finally {
      pumping = false;
      out.endTurn();
      // Every turn: the catch-up moved on, or (called after live events it skipped) fell back.
      reportLag();
    }
  }

  /**
   * Tells how far the subscriptions still catching up lag their topics: a client that stops
   * reading mid-snapshot leaves its buffer empty, and only this shows it falling behind
   * (docs/protocol.md §6). Counted only once the socket has taken nothing for {@link
   * #CATCH_UP_STALL_MS}: a client that reads, however slowly, is catching up, and its catch-up
   * only takes longer (§5). Called after live events too, so a stalled client's lag grows with
   * its topics. O(subscriptions catching up).
   */
  private void reportLag() {
    if (stopped) {
      return;
    }
    long lag = 0;
    // No iterator and no clock for the usual case: everything live, or the socket taking frames.
    if (awaitingDrain
        && catching != 0
        && clock.millis() - drainAwaitedSince > CATCH_UP_STALL_MS) {
      for (Subscription s : catchingUp) {
        lag += s.lag();
      }
    }
    catchUpLag.accept(lag);
  }

  /**
   * Writes the replies still queued (e.g. the error that explains a close) now, ahead of a close
   * frame; at most {@link #CONTROL_HIGH_WATER} and what one message added past it.
   */
  void flushReplies() {
    // What went straight to the socket first, in its place ahead of the replies.
    endThroughTurn();
    while (!stopped && replies != 0) {
      replies--;
      out.write(control.pollFirst());
    }
  }

  /** Ends a turn {@link #writeThrough} opened, if one is open: its frames leave. */
  private void endThroughTurn() {
    if (throughTurn) {
      throughTurn = false;
      out.endTurn();
    }
  }

  /** Stops for good and forgets everything queued; idempotent. */
  void stop() {
    endThroughTurn();
    stopped = true;
    if (throttleTimer >= 0) {
      context.owner().cancelTimer(throttleTimer);
      throttleTimer = -1;
    }
    control.clear();
    catchingUp.clear();
    replies = 0;
    catching = 0;
  }

  /** BufferSink: a live change leaves the buffer. */
  @Override
  public void change(ChangeEvent event) {
    out.writeChange(event);
  }

  /** BufferSink: a gap leaves the buffer, in the place of the changes it stands for. */
  @Override
  public void dropped(String topic, long from, long to, long count, DropReason reason) {
    out.write(Outbound.dropped(topic, from, to, count, reason));
  }

  /** BufferSink: a compacted run's marker leaves the buffer, before the run's survivors. */
  @Override
  public void conflated(String topic, long from, long to, long count) {
    out.write(Outbound.conflated(topic, from, to, count));
  }

  /**
   * Takes a token for the next event or catch-up frame, if there is one to send; else sets the
   * timer that pumps again when the next token is due and returns false.
   */
  private boolean takeToken() {
    if (buffer.isEmpty() && catching == 0) {
      return true; // nothing to send: the loop ends without spending a token
    }
    long now = clock.millis();
    if (throttle.tryTake(now)) {
      return true;
    }
    throttleTimer =
        context
            .owner()
            .setTimer(
                throttle.waitMs(now),
                t -> {
                  throttleTimer = -1;
                  pump();
                });
    return false;
  }

  /** Entries (changes and markers) taken from the buffer to the socket since it opened. */
  @Override
  public long drained() {
    return drained;
  }

  /**
   * Whether the buffer held entries the whole time since the last call (it never ran empty, and
   * holds some now): what it drained meanwhile was all the client, or its rate, would take. Starts
   * the next period.
   */
  @Override
  public boolean takeSaturated() {
    boolean empty = buffer.isEmpty();
    boolean saturated = !bufferEmptied && !empty;
    bufferEmptied = empty;
    return saturated;
  }

  /**
   * Since when, in clock millis, the pump has waited for the socket to drain (it took no bytes
   * since); -1 while the socket takes what is written.
   */
  long drainAwaitedSince() {
    return awaitingDrain && !stopped ? drainAwaitedSince : -1;
  }

  private void awaitDrain() {
    if (!awaitingDrain) {
      awaitingDrain = true;
      drainAwaitedSince = clock.millis();
      transport.onDrain(
          () -> {
            awaitingDrain = false;
            pump();
          });
    }
  }

  private void schedulePump() {
    if (!pumpScheduled) {
      pumpScheduled = true;
      TurnQueue.later(queuedTurn);
    }
  }
}
