package io.slipstream.cluster.log;

import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.core.OperationTimeoutException;
import com.hazelcast.map.IMap;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@link TopicAuthority} over the {@code slipstream.topics} IMap with this package's entry
 * processors, called asynchronously ({@code submitToKey}).
 *
 * <p>Thread-safe: it holds only the map proxy, the limits and the epoch source.
 */
final class HazelcastTopicAuthority implements TopicAuthority {

  /** What a failure of one call means for its outcome. */
  enum Failure {
    /** May or may not have been applied: retry with the same publish id. */
    INDETERMINATE,
    /** Too few members: nothing applied. */
    NO_QUORUM,
    /** Not an outcome: the stage fails with it. */
    OTHER
  }

  private final IMap<String, TopicLog> map;
  private final LogLimits limits;
  private final Supplier<String> epochs;

  HazelcastTopicAuthority(IMap<String, TopicLog> map, LogLimits limits, Supplier<String> epochs) {
    this.map = map;
    this.limits = limits;
    this.epochs = epochs;
  }

  @Override
  public CompletionStage<AppendOutcome> append(AppendRequest r) {
    return append(r, null);
  }

  @Override
  public CompletionStage<AppendOutcome> append(AppendRequest r, String epochCandidate) {
    String candidate = epochCandidate != null ? epochCandidate : epochs.get();
    Append ep = new Append(r.publishId(), r.bodyHash(), r.ts(), r.changes(), candidate, limits);
    return classified(
        map.submitToKey(r.topic(), ep),
        f -> AppendOutcome.of(
            f == Failure.NO_QUORUM ? AppendOutcome.Kind.NO_QUORUM
                : AppendOutcome.Kind.INDETERMINATE));
  }

  @Override
  public CompletionStage<LogRead> snapshot(String topic, int tailEvents) {
    return classified(
        map.submitToKey(topic, ValidatedRead.snapshot(tailEvents)),
        HazelcastTopicAuthority::failedRead);
  }

  @Override
  public CompletionStage<LogRead> range(String topic, String epoch, long afterSeq, int maxEvents) {
    return classified(
        map.submitToKey(topic, ValidatedRead.range(epoch, afterSeq, maxEvents)),
        HazelcastTopicAuthority::failedRead);
  }

  @Override
  public CompletionStage<DeleteResult> delete(String topic, String newEpoch) {
    return classified(
        map.submitToKey(topic, new Delete(newEpoch, false))
            .thenApply(e -> e == null ? DeleteResult.ABSENT : DeleteResult.deleted(e)),
        f -> f == Failure.NO_QUORUM ? DeleteResult.NO_QUORUM : DeleteResult.INDETERMINATE);
  }

  @Override
  public CompletionStage<LogTip> ensure(String topic, String candidate) {
    return map.submitToKey(topic, new Ensure(candidate, false));
  }

  @Override
  public CompletionStage<Boolean> removeIfEmpty(String topic) {
    return map.submitToKey(topic, new RemoveIfEmpty());
  }

  @Override
  public CompletionStage<Map<String, LogTip>> tips(Set<String> topics) {
    return map.submitToKeys(topics, ReadTip.INSTANCE);
  }

  @Override
  public CompletionStage<Set<String>> topics() {
    // IMap has no asynchronous key set: the blocking query runs on a thread of its own, never on
    // a caller's event loop or on the common pool that Hazelcast completes its futures on.
    return CompletableFuture.supplyAsync(
        () -> Set.copyOf(map.keySet()),
        task -> {
          Thread t = new Thread(task, "slipstream-topics-keyset");
          t.setDaemon(true);
          t.start();
        });
  }

  private static LogRead failedRead(Failure f) {
    return LogRead.of(
        f == Failure.NO_QUORUM ? LogRead.Kind.NO_QUORUM : LogRead.Kind.INDETERMINATE, null, 0);
  }

  private static <R> CompletionStage<R> classified(
      CompletionStage<R> call, Function<Failure, R> outcome) {
    return call.handle(
            (result, error) -> {
              if (error == null) {
                return CompletableFuture.completedFuture(result);
              }
              Failure f = classify(error);
              return f == Failure.OTHER
                  ? CompletableFuture.<R>failedFuture(error)
                  : CompletableFuture.completedFuture(outcome.apply(f));
            })
        .thenCompose(Function.identity());
  }

  /**
   * What {@code error} (possibly wrapped by the future) means: Hazelcast throws {@code
   * IndeterminateOperationStateException} when the primary left mid-call or a backup did not ack in
   * time ({@code hazelcast.operation.fail.on.indeterminate.state}), and after a call timeout the
   * operation may have run or not; split-brain protection refuses below the minimum size.
   */
  static Failure classify(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof IndeterminateOperationStateException
        || t instanceof OperationTimeoutException) {
      return Failure.INDETERMINATE;
    }
    if (t instanceof SplitBrainProtectionException) {
      return Failure.NO_QUORUM;
    }
    return Failure.OTHER;
  }
}
