package io.slipstream.cluster.session;

import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import io.slipstream.core.spi.SessionStore;
import io.slipstream.core.spi.SessionStoreContract;
import io.slipstream.core.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;

/**
 * The Hazelcast session store keeps the {@link SessionStoreContract} on two real members in this
 * JVM, one store per member, so every resume and hand-over of the contract crosses members. Each
 * case gets its own map (added to the running cluster's config with that case's bounds), so the
 * cluster starts once.
 */
@TestInstance(Lifecycle.PER_CLASS)
class HazelcastSessionStoreContractIT extends SessionStoreContract {

  /** Long enough that no case but the expiry one outlives it on a loaded machine. */
  private static final long TTL_MS = 5_000;

  private final AtomicInteger cases = new AtomicInteger();
  private Members members;

  @BeforeAll
  void startMembers() {
    members = new Members(2, 0);
  }

  @AfterAll
  void stopMembers() {
    members.close();
  }

  @Override
  protected Bounds defaultBounds() {
    return new Bounds(TTL_MS, 1_000, 8);
  }

  @Override
  protected Fixture start(Bounds bounds) {
    String mapName = SessionMap.MAP_NAME + ".case-" + cases.incrementAndGet();
    SessionLimits limits =
        new SessionLimits(bounds.ttlMs(), bounds.maxSessions(), bounds.maxSubscriptions());
    MapConfig config = SessionMap.config(limits, Members.PARTITIONS).setName(mapName);
    // A dynamic config reaches every member before the map is first used.
    members.running.get(0).getConfig().addMapConfig(config);
    ConcurrentHashMap<String, String> expired = new ConcurrentHashMap<>();
    List<HazelcastSessionStore> stores = new ArrayList<>();
    for (HazelcastInstance hz : members.running) {
      HazelcastSessionStore s = new HazelcastSessionStore(hz, mapName, limits, Clock.system());
      s.listen(new RecordingListener(expired));
      stores.add(s);
    }
    int perPartition = config.getEvictionConfig().getSize();
    return new Fixture() {
      @Override
      public int nodes() {
        return stores.size();
      }

      @Override
      public SessionStore store(int i) {
        return stores.get(i);
      }

      @Override
      public Map<String, String> expired() {
        return expired;
      }

      @Override
      public void passTtl() {
        // Real time: Hazelcast's TTL runs on its own clock.
        try {
          Thread.sleep(bounds.ttlMs() + 100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }

      @Override
      public int maxSessionsSlack() {
        return perPartition * Members.PARTITIONS - bounds.maxSessions();
      }

      @Override
      public void close() {
        stores.forEach(HazelcastSessionStore::close);
        members.running.get(0).getMap(mapName).destroy();
      }
    };
  }
}
