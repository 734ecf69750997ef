package io.slipstream.server.eventbus;

import io.slipstream.core.time.Clock;
import io.slipstream.server.protocol.LifecycleJson;
import io.slipstream.server.protocol.LifecycleJson.Figures;
import io.vertx.core.eventbus.EventBus;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishes connection lifecycle events on {@code slipstream.lifecycle} (docs/protocol.md §11).
 *
 * <p>Thread-safe. Fire and forget: a failure is logged once and never reaches the connection. Each
 * event's {@code ts} is the injected clock's wall time, an instant for operators.
 */
public final class Lifecycle {

  /** The address lifecycle events are published on. */
  public static final String ADDRESS = "slipstream.lifecycle";

  /** The {@code event} values. */
  public enum Event {
    CONNECTED("connected"),
    /** The connection's quality went from healthy to lagging (figures say why). */
    LAGGING("lagging"),
    /** The connection's quality is healthy again. */
    HEALTHY("healthy"),
    WARNED("warned"),
    DROPPING("dropping"),
    SLOW("slow"),
    DISCONNECTED("disconnected"),
    RESUMED("resumed"),
    EXPIRED("expired");

    private final String wireName;

    Event(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }
  }

  private static final Logger LOG = Logger.getLogger(Lifecycle.class.getName());

  private final EventBus eventBus;
  private final Clock clock;
  private final AtomicBoolean failureLogged = new AtomicBoolean();

  public Lifecycle(EventBus eventBus, Clock clock) {
    this.eventBus = eventBus;
    this.clock = clock;
  }

  /** Publishes one event; {@code reason} may be null. */
  public void publish(Event event, String session, String connection, String reason) {
    publish(event, session, connection, reason, null);
  }

  /**
   * Publishes one event of a connection's quality with the figures that caused it; {@code reason}
   * and {@code figures} may be null.
   */
  public void publish(
      Event event, String session, String connection, String reason, Figures figures) {
    try {
      eventBus.publish(
          ADDRESS,
          LifecycleJson.event(
              event.wireName(), session, connection, clock.wallMillis(), reason, figures));
    } catch (RuntimeException e) {
      if (failureLogged.compareAndSet(false, true)) {
        LOG.log(
            Level.WARNING,
            "lifecycle event could not be published; further failures are not logged",
            e);
      }
    }
  }
}
