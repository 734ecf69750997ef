package io.slipstream.cluster.log;

import com.hazelcast.core.HazelcastInstance;
import io.slipstream.core.topic.Topic;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The cluster-wide authority over every topic's history: the sequencer and the durable log, one
 * IMap entry per topic, changed only by entry processors on the topic's primary and confirmed by
 * its sync backup (shared/notes/cluster.md §3). This is the module-internal seam the core SPI's
 * clustered sequencer and feed will be built on.
 *
 * <p>Thread-safe. Answers complete on Hazelcast's threads: callers on an event loop bring them
 * back with {@code Future.fromCompletionStage(stage, context)} and never block on them. Failures
 * that say something about the publish or read become outcome kinds ({@code INDETERMINATE}, {@code
 * NO_QUORUM}); anything else (the member shutting down, a bug) fails the stage.
 */
public interface TopicAuthority {

  /** The IMap that holds the topic logs. */
  String MAP_NAME = "slipstream.topics";

  /**
   * The most changes one validated read returns ({@link #snapshot}'s {@code tailEvents}, {@link
   * #range}'s {@code maxEvents}): a read runs on a partition thread, so it stays small.
   */
  int MAX_READ_EVENTS = 10_000;

  /** Sequences and applies one publish, or answers a repeat of it. */
  CompletionStage<AppendOutcome> append(AppendRequest request);

  /**
   * As {@link #append(AppendRequest)}, creating an absent topic in {@code epochCandidate} (the
   * epoch the publishing node's subscribers of the empty topic were told) instead of a new one.
   * Implementations without epochs of their own may ignore it.
   */
  default CompletionStage<AppendOutcome> append(AppendRequest request, String epochCandidate) {
    return append(request);
  }

  /** A validated snapshot: the rows at the last seq and up to {@code tailEvents} newest changes. */
  CompletionStage<LogRead> snapshot(String topic, int tailEvents);

  /** A validated range: up to {@code maxEvents} changes after {@code afterSeq} in {@code epoch}. */
  CompletionStage<LogRead> range(String topic, String epoch, long afterSeq, int maxEvents);

  /**
   * Empties the topic under {@code newEpoch} (a {@code DELETE}): the answer is the new epoch once
   * it is on both copies, null when the topic has no entry, or the failure classified as for
   * appends ({@link DeleteResult}).
   */
  CompletionStage<DeleteResult> delete(String topic, String newEpoch);

  /**
   * The topic's tip, giving a topic that has no entry an empty one in {@code candidate} first
   * ({@code (candidate, 0)}): the epoch subscribers of a topic not yet published are told.
   * Failures fail the stage (the caller goes on without).
   */
  CompletionStage<LogTip> ensure(String topic, String candidate);

  /** Removes the topic's entry if it holds no change (seq 0); whether it did. */
  CompletionStage<Boolean> removeIfEmpty(String topic);

  /** The primaries' tips of {@code topics}, unconfirmed hints, one batched call. */
  CompletionStage<Map<String, LogTip>> tips(Set<String> topics);

  /**
   * The names of every topic that has a log: the map's key set, as large as the cluster's topic
   * count. Meant for a node's bootstrap, not for a hot path: it asks every partition.
   */
  CompletionStage<Set<String>> topics();

  /**
   * The authority over {@code hz}'s {@link #MAP_NAME} map, whose configuration and serialization
   * come from {@code io.slipstream.cluster.member.MemberConfig}.
   */
  static TopicAuthority hazelcast(HazelcastInstance hz, LogLimits limits) {
    return new HazelcastTopicAuthority(hz.getMap(MAP_NAME), limits, Topic::newEpoch);
  }
}
