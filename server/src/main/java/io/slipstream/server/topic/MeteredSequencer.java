package io.slipstream.server.topic;

import io.slipstream.core.spi.DeleteOutcome;
import io.slipstream.core.spi.Publish;
import io.slipstream.core.spi.PublishOutcome;
import io.slipstream.core.spi.Sequencer;
import io.slipstream.server.metrics.Metrics;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts every outcome of the node's sequencer (refusals included) in {@link Metrics}, whoever
 * asked: HTTP or the event bus; and how many are still unanswered, so that a node that leaves
 * answers its publishes in flight first.
 *
 * <p>Thread-safe; counting is a side effect of each stage and never changes its outcome.
 */
final class MeteredSequencer implements Sequencer {

  private final Sequencer delegate;
  private final Metrics metrics;
  private final AtomicInteger inFlight = new AtomicInteger();

  MeteredSequencer(Sequencer delegate, Metrics metrics) {
    this.delegate = delegate;
    this.metrics = metrics;
  }

  @Override
  public CompletionStage<PublishOutcome> publish(Publish publish) {
    inFlight.incrementAndGet();
    CompletionStage<PublishOutcome> stage = delegate.publish(publish);
    stage.whenComplete((o, e) -> inFlight.decrementAndGet());
    stage.thenAccept(o -> metrics.publishAnswered(o.status()));
    return stage;
  }

  @Override
  public CompletionStage<DeleteOutcome> delete(String topic, long deadline) {
    inFlight.incrementAndGet();
    CompletionStage<DeleteOutcome> stage = delegate.delete(topic, deadline);
    stage.whenComplete((o, e) -> inFlight.decrementAndGet());
    stage.thenAccept(o -> metrics.deleteAnswered(o.status()));
    return stage;
  }

  /** Publishes and deletes asked for and not yet answered. */
  int inFlight() {
    return inFlight.get();
  }

  @Override
  public void idle(String topic) {
    delegate.idle(topic);
  }
}
