package io.slipstream.core.topic;

import java.util.ArrayList;
import java.util.List;

/**
 * Keys built to hit every path of {@link RowMap}'s trie: whole-hash collisions, and hashes that
 * agree on all but one 5-bit level, so nodes split at every depth.
 *
 * <p>Stateless and thread-safe.
 */
final class CollidingKeys {

  private static final int BASE = 31;

  private CollidingKeys() {}

  /**
   * The map's internal hash of a key ({@code RowMap.spread}): the upper half folded into the lower.
   * It is its own inverse, so {@code spread(spread(h)) == h}.
   */
  static int spread(int h) {
    return h ^ (h >>> 16);
  }

  /**
   * A key whose {@code hashCode()} is exactly {@code hashCode}; different {@code variant}s (0..25)
   * give different keys with the same hash. Seven characters, printable (Latin-1).
   */
  static String withHashCode(int hashCode, int variant) {
    if (variant < 0 || variant > 25) {
      throw new IllegalArgumentException("variant must be 0..25, was " + variant);
    }
    char prefix = (char) ('a' + variant);
    // hash(prefix + d0..d5) = prefix*31^6 + sum (d_i + 'A') * 31^(5-i), in wrapping int arithmetic.
    int offset = 0;
    int pow = 1;
    for (int i = 0; i < 6; i++) {
      offset += 'A' * pow;
      pow *= BASE;
    }
    int rest = hashCode - prefix * pow - offset; // pow is now 31^6
    long u = Integer.toUnsignedLong(rest);
    char[] chars = new char[7];
    chars[0] = prefix;
    long p5 = 28_629_151L; // 31^5
    long digitWeight = p5;
    for (int i = 1; i <= 6; i++) {
      long digit = u / digitWeight;
      u %= digitWeight;
      chars[i] = (char) ('A' + digit);
      digitWeight /= BASE;
    }
    String key = new String(chars);
    if (key.hashCode() != hashCode) {
      throw new AssertionError("could not build a key with hash " + hashCode + ": " + key);
    }
    return key;
  }

  /** A key that {@link RowMap} files under the internal (spread) hash {@code spreadHash}. */
  static String withSpreadHash(int spreadHash, int variant) {
    return withHashCode(spread(spreadHash), variant);
  }

  /**
   * The classic colliding family: every concatenation of {@code blocks} pieces, each "Aa" or "BB",
   * has the same {@code hashCode()} (2^blocks keys).
   */
  static List<String> aaBbFamily(int blocks) {
    List<String> keys = new ArrayList<>();
    for (int mask = 0; mask < (1 << blocks); mask++) {
      StringBuilder sb = new StringBuilder();
      for (int b = 0; b < blocks; b++) {
        sb.append((mask & (1 << b)) == 0 ? "Aa" : "BB");
      }
      keys.add(sb.toString());
    }
    return keys;
  }

  /**
   * A pool of keys around {@code base}: for the base hash and for each hash that differs from it in
   * one bit of one trie level (bits 0, 5, 10, ..., 30, 31), {@code perHash} keys sharing that hash;
   * plus the "Aa"/"BB" families of 1 to 3 blocks and a few ordinary keys.
   */
  static List<String> pool(int base, int perHash) {
    List<String> keys = new ArrayList<>();
    int[] flips = {-1, 0, 5, 10, 15, 20, 25, 30, 31};
    for (int bit : flips) {
      int h = bit < 0 ? base : base ^ (1 << bit);
      for (int v = 0; v < perHash; v++) {
        keys.add(withSpreadHash(h, v));
      }
    }
    for (int blocks = 1; blocks <= 3; blocks++) {
      keys.addAll(aaBbFamily(blocks));
    }
    for (int i = 0; i < 6; i++) {
      keys.add("k" + i);
    }
    return keys;
  }
}
