package io.slipstream.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.eventbus.Lifecycle;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Records every lifecycle event a node publishes on {@code slipstream.lifecycle}, so a test can
 * await the moment something happened on the server (a session suspended, a slot given back)
 * instead of sleeping.
 *
 * <p>Thread-safe: events arrive on a Vert.x event loop, the test awaits them on its own thread.
 */
public final class RecordingLifecycle {

  /** How long {@link #await} waits for its event. */
  public static final Duration WAIT = Duration.ofSeconds(20);

  private final LinkedBlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();

  private RecordingLifecycle() {}

  /** Starts recording {@code server}'s events; returns once the consumer is registered. */
  public static RecordingLifecycle on(TestServer server) {
    RecordingLifecycle r = new RecordingLifecycle();
    server
        .vertx()
        .eventBus()
        .<JsonObject>consumer(Lifecycle.ADDRESS, m -> r.events.add(m.body()))
        .completion()
        .await();
    return r;
  }

  /** The next {@code event}, skipping the others, waiting up to {@link #WAIT}. */
  public JsonObject await(String event) {
    return await(event, null);
  }

  /**
   * The next {@code event} of {@code session} (any session when null), skipping the others, waiting
   * up to {@link #WAIT}.
   */
  public JsonObject await(String event, String session) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        JsonObject e = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
        assertThat(e).as("lifecycle event %s of session %s", event, session).isNotNull();
        if (event.equals(e.getString("event"))
            && (session == null || session.equals(e.getString("session")))) {
          return e;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
