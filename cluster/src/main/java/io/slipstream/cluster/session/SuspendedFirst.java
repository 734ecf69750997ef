package io.slipstream.cluster.session;

import com.hazelcast.core.EntryView;
import com.hazelcast.map.MapEvictionPolicyComparator;

/**
 * The eviction order of the session map at {@code maxSessions}: suspended sessions before attached
 * ones, and among them the one suspended longest first, as the node-local registry evicts.
 * Hazelcast compares a sample of a partition's entries with it (at most 15), so the order is kept
 * among the sample, not across the whole map.
 *
 * <p>Stateless and thread-safe.
 */
final class SuspendedFirst implements MapEvictionPolicyComparator<String, StoredSession> {

  private static final long serialVersionUID = 1L;

  @Override
  public int compare(EntryView<String, StoredSession> a, EntryView<String, StoredSession> b) {
    return Long.compare(rank(a.getValue()), rank(b.getValue()));
  }

  /** Smaller goes first: the suspension instant, attached sessions after every suspended one. */
  private static long rank(StoredSession s) {
    return s == null || s.attached() ? Long.MAX_VALUE : s.suspendedAt();
  }
}
