package io.slipstream.server.topic;

import io.slipstream.core.spi.DeleteOutcome;
import io.slipstream.core.spi.Publish;
import io.slipstream.core.spi.PublishOutcome;
import io.slipstream.core.spi.Sequencer;
import io.slipstream.server.metrics.Metrics;
import java.util.concurrent.CompletionStage;

/**
 * Counts every outcome of the node's sequencer (refusals included) in {@link Metrics}, whoever
 * asked: HTTP or the event bus.
 *
 * <p>Thread-safe; counting is a side effect of each stage and never changes its outcome.
 */
final class MeteredSequencer implements Sequencer {

  private final Sequencer delegate;
  private final Metrics metrics;

  MeteredSequencer(Sequencer delegate, Metrics metrics) {
    this.delegate = delegate;
    this.metrics = metrics;
  }

  @Override
  public CompletionStage<PublishOutcome> publish(Publish publish) {
    CompletionStage<PublishOutcome> stage = delegate.publish(publish);
    stage.thenAccept(o -> metrics.publishAnswered(o.status()));
    return stage;
  }

  @Override
  public CompletionStage<DeleteOutcome> delete(String topic, long deadline) {
    CompletionStage<DeleteOutcome> stage = delegate.delete(topic, deadline);
    stage.thenAccept(o -> metrics.deleteAnswered(o.status()));
    return stage;
  }

  @Override
  public void idle(String topic) {
    delegate.idle(topic);
  }
}
