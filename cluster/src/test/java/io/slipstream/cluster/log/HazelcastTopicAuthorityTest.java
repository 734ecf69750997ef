package io.slipstream.cluster.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.core.OperationTimeoutException;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import io.slipstream.cluster.log.HazelcastTopicAuthority.Failure;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** How Hazelcast's failures become outcomes (docs/protocol.md §10: 503 indeterminate/no-quorum). */
class HazelcastTopicAuthorityTest {

  @Test
  void aMissingBackupAckOrALostPrimaryOrATimeoutIsIndeterminate() {
    assertThat(HazelcastTopicAuthority.classify(
            new CompletionException(new IndeterminateOperationStateException("no backup ack"))))
        .isEqualTo(Failure.INDETERMINATE);
    assertThat(HazelcastTopicAuthority.classify(
            new ExecutionException(new OperationTimeoutException("no answer"))))
        .isEqualTo(Failure.INDETERMINATE);
  }

  @Test
  void tooFewMembersIsNoQuorum() {
    assertThat(HazelcastTopicAuthority.classify(
            new CompletionException(new SplitBrainProtectionException("1 < 2"))))
        .isEqualTo(Failure.NO_QUORUM);
  }

  @Test
  void anythingElseIsNotAnOutcomeButAFailure() {
    assertThat(HazelcastTopicAuthority.classify(new IllegalStateException("bug")))
        .isEqualTo(Failure.OTHER);
    assertThat(HazelcastTopicAuthority.classify(new CompletionException(null)))
        .isEqualTo(Failure.OTHER);
  }
}
