package io.slipstream.core.spi.local;

import io.slipstream.core.spi.SessionStore;
import io.slipstream.core.spi.SessionStoreContract;
import io.slipstream.core.time.FakeClock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The single-node session store keeps the {@link SessionStoreContract}, on a fake clock. */
class LocalSessionStoreContractTest extends SessionStoreContract {

  @Override
  protected Fixture start(Bounds bounds) {
    FakeClock clock = new FakeClock();
    ConcurrentHashMap<String, String> expired = new ConcurrentHashMap<>();
    SessionStore store =
        LocalSessionStores.create(
            bounds.ttlMs(), bounds.maxSessions(), bounds.maxSubscriptions(), clock);
    store.listen(new RecordingListener(expired));
    return new Fixture() {
      @Override
      public int nodes() {
        return 1;
      }

      @Override
      public SessionStore store(int i) {
        return store;
      }

      @Override
      public Map<String, String> expired() {
        return expired;
      }

      @Override
      public void passTtl() {
        clock.advance(bounds.ttlMs());
      }

      @Override
      public int maxSessionsSlack() {
        return 0;
      }

      @Override
      public void close() {}
    };
  }
}
