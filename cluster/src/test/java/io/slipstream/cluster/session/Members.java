package io.slipstream.cluster.session;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.slipstream.cluster.member.ClusterSettings;
import io.slipstream.cluster.member.MemberConfig;
import io.slipstream.cluster.testing.MemberPorts;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Hazelcast members in this JVM for the session tests: joined by TCP-IP on 127.0.0.1 under a unique
 * cluster name, with the production {@link MemberConfig} and fast test timings (7 partitions,
 * expiry swept every second, a dead member removed after 5 s of silence).
 *
 * <p>Not thread-safe: one test class drives it.
 */
final class Members implements AutoCloseable {

  static final int PARTITIONS = 7;

  private final String clusterName = "slipstream-sessions-it-" + UUID.randomUUID();
  private final List<String> addresses = new ArrayList<>();
  final List<HazelcastInstance> running = new ArrayList<>();

  /** Starts {@code n} members (room for {@code spare} more later) and waits until they joined. */
  Members(int n, int spare) {
    for (int i = 0; i < n + spare; i++) {
      addresses.add("127.0.0.1:" + freePort());
    }
    for (int i = 0; i < n; i++) {
      start(i);
    }
    awaitSize(n);
  }

  /** Starts the member at address {@code i}. */
  HazelcastInstance start(int i) {
    ClusterSettings s =
        new ClusterSettings(
            clusterName,
            "127.0.0.1",
            Integer.parseInt(addresses.get(i).split(":")[1]),
            addresses,
            PARTITIONS,
            2,
            1_000,
            1,
            10_000,
            1,
            5);
    Config cfg = MemberConfig.build(s);
    // Suspended sessions are reported within about a second of their TTL.
    cfg.setProperty("hazelcast.internal.map.expiration.task.period.seconds", "1");
    HazelcastInstance hz = Hazelcast.newHazelcastInstance(cfg);
    running.add(hz);
    return hz;
  }

  /** Waits until every running member sees {@code n} members and its partitions are safe. */
  void awaitSize(int n) {
    eventually(
        n + " members, partitions safe",
        () ->
            running.stream()
                .allMatch(
                    m ->
                        m.getCluster().getMembers().size() == n
                            && m.getPartitionService().isClusterSafe()));
  }

  @Override
  public void close() {
    for (HazelcastInstance m : running) {
      m.getLifecycleService().terminate();
    }
    running.clear();
  }

  /** Polls {@code condition}: membership and partition safety have no event to await. */
  static void eventually(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 60 s: " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static int freePort() {
    return MemberPorts.free();
  }
}
