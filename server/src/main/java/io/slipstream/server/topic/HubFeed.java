package io.slipstream.server.topic;

import io.slipstream.core.spi.Feed;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.Topic;
import io.slipstream.server.metrics.Metrics;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import java.util.List;

/**
 * This node's end of the {@link Feed}: hands every committed batch to the hubs of every event loop
 * as one {@link ChangeBatch} on the local event bus, by reference. A reset travels the same way, as
 * a batch holding only the new epoch's {@link ChangeEvent#epochStart} marker, so live subscribers
 * see it in order with the batches around it.
 *
 * <p>Thread-safe; called on the topic's sequencer, one batch at a time per topic. The event bus
 * keeps each sender's order per consumer, which is what keeps seq order on every loop.
 */
public final class HubFeed implements Feed {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final EventBus eventBus;
  private final Metrics metrics;

  public HubFeed(EventBus eventBus, Metrics metrics) {
    this.eventBus = eventBus;
    this.metrics = metrics;
  }

  @Override
  public void committed(Topic replica, List<ChangeEvent> events) {
    String name = replica.name();
    metrics.published(name, events.size());
    eventBus.publish(ChangeBatch.address(name), new ChangeBatch(name, events), LOCAL);
  }

  @Override
  public void reset(Topic replica, String epoch) {
    String name = replica.name();
    ChangeEvent marker = ChangeEvent.epochStart(name, epoch, System.currentTimeMillis());
    eventBus.publish(ChangeBatch.address(name), new ChangeBatch(name, List.of(marker)), LOCAL);
  }
}
