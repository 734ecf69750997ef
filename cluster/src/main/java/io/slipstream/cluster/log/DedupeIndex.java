package io.slipstream.cluster.log;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dedupe window of one topic log: publish id → the seqs its publish got and a hash of its
 * body, for the most recent ids, oldest first.
 *
 * <p>Confined to the partition thread that owns the topic's entry (or to a test); not thread-safe.
 *
 * <p>Bound: {@link #evict} keeps at most {@link LogLimits#dedupeWindow()} ids after every append.
 * The window counts publishes that carried an id, as docs/protocol.md §10 defines it ("the last
 * {@code idempotencyWindow} keys of the topic"); it is independent of the replay ring, because the
 * seqs a publish got stay its seqs after its changes have left the ring.
 */
final class DedupeIndex {

  /**
   * What a publish id's publish got.
   *
   * @param firstSeq its first seq
   * @param lastSeq its last seq
   * @param bodyHash the hash of its body, to tell a retry from a different publish under the same
   *     id
   */
  record Recorded(long firstSeq, long lastSeq, long bodyHash) {}

  private final LinkedHashMap<String, Recorded> ids = new LinkedHashMap<>();

  int size() {
    return ids.size();
  }

  Recorded get(String publishId) {
    return ids.get(publishId);
  }

  /** Records an id that is not in the window yet (the caller checked). */
  void put(String publishId, Recorded recorded) {
    ids.put(publishId, recorded);
  }

  /** Forgets the oldest ids until at most {@code window} are left. */
  void evict(int window) {
    Iterator<Map.Entry<String, Recorded>> it = ids.entrySet().iterator();
    while (ids.size() > window) {
      it.next();
      it.remove();
    }
  }

  /** The ids, oldest first; for serialization and comparison, not to be modified. */
  Map<String, Recorded> view() {
    return ids;
  }

  DedupeIndex copy() {
    DedupeIndex c = new DedupeIndex();
    c.ids.putAll(ids);
    return c;
  }
}
