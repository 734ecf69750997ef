package io.slipstream.core.topic;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A topic's rows by key as a persistent hash array mapped trie: every update returns a new map
 * that shares all untouched nodes with the old one.
 *
 * <p>Immutable and thread-safe. This is what makes a snapshot free: a subscriber takes the map as
 * it is at seq S and iterates it lazily, at its socket's pace, while the topic goes on replacing
 * its own reference with newer maps. An update allocates at most one node per level (at most 7
 * levels for 32-bit hashes).
 */
public final class RowMap implements Iterable<RowMap.Entry> {

  /** One row of the map. */
  public interface Entry {
    /** The row's key. */
    String key();

    /** The row. */
    Row row();
  }

  private static final int BITS = 5;
  private static final int MASK = (1 << BITS) - 1;
  private static final Object[] NO_SLOTS = new Object[0];

  /** The empty map. */
  public static final RowMap EMPTY = new RowMap(new BitmapNode(0, NO_SLOTS), 0);

  private final BitmapNode root;
  private final int size;

  private RowMap(BitmapNode root, int size) {
    this.root = root;
    this.size = size;
  }

  /** The number of rows. */
  public int size() {
    return size;
  }

  /** The row under {@code key}, or null. */
  public Row get(String key) {
    int hash = spread(key.hashCode());
    Object node = root;
    int shift = 0;
    while (true) {
      if (node instanceof BitmapNode) {
        BitmapNode b = (BitmapNode) node;
        int bit = 1 << ((hash >>> shift) & MASK);
        if ((b.bitmap & bit) == 0) {
          return null;
        }
        node = b.slots[Integer.bitCount(b.bitmap & (bit - 1))];
        shift += BITS;
      } else if (node instanceof Leaf) {
        Leaf leaf = (Leaf) node;
        return leaf.hash == hash && leaf.key.equals(key) ? leaf.row : null;
      } else {
        return ((CollisionNode) node).get(key);
      }
    }
  }

  /** A map with {@code row} under {@code key}, replacing any row there. */
  public RowMap put(String key, Row row) {
    int hash = spread(key.hashCode());
    boolean[] added = new boolean[1];
    BitmapNode newRoot = (BitmapNode) put(root, 0, new Leaf(key, hash, row), added);
    return new RowMap(newRoot, added[0] ? size + 1 : size);
  }

  /** A map without {@code key}; this map when the key is absent. */
  public RowMap remove(String key) {
    if (get(key) == null) {
      return this;
    }
    Object newRoot = remove(root, 0, spread(key.hashCode()), key);
    BitmapNode r = newRoot == null ? EMPTY.root : asBitmap(newRoot, 0);
    return new RowMap(r, size - 1);
  }

  /** Iterates the rows in no particular order, lazily. */
  @Override
  public Iterator<Entry> iterator() {
    return new Walker(root);
  }

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }

  private static Object put(Object node, int shift, Leaf leaf, boolean[] added) {
    if (node instanceof BitmapNode) {
      BitmapNode b = (BitmapNode) node;
      int bit = 1 << ((leaf.hash >>> shift) & MASK);
      int idx = Integer.bitCount(b.bitmap & (bit - 1));
      if ((b.bitmap & bit) == 0) {
        added[0] = true;
        Object[] slots = new Object[b.slots.length + 1];
        System.arraycopy(b.slots, 0, slots, 0, idx);
        slots[idx] = leaf;
        System.arraycopy(b.slots, idx, slots, idx + 1, b.slots.length - idx);
        return new BitmapNode(b.bitmap | bit, slots);
      }
      Object child = put(b.slots[idx], shift + BITS, leaf, added);
      Object[] slots = b.slots.clone();
      slots[idx] = child;
      return new BitmapNode(b.bitmap, slots);
    }
    if (node instanceof Leaf) {
      Leaf old = (Leaf) node;
      if (old.hash == leaf.hash && old.key.equals(leaf.key)) {
        return leaf;
      }
      added[0] = true;
      return merge(old, leaf, shift);
    }
    CollisionNode c = (CollisionNode) node;
    if (c.hash == leaf.hash) {
      return c.put(leaf, added);
    }
    // Hashes differ below this level: hang the collision under a bitmap node and insert there.
    BitmapNode wrapper = new BitmapNode(1 << ((c.hash >>> shift) & MASK), new Object[] {c});
    return put(wrapper, shift, leaf, added);
  }

  private static Object merge(Leaf a, Leaf b, int shift) {
    if (shift >= 32 || a.hash == b.hash) {
      return new CollisionNode(a.hash, new Leaf[] {a, b});
    }
    int ia = (a.hash >>> shift) & MASK;
    int ib = (b.hash >>> shift) & MASK;
    if (ia == ib) {
      return new BitmapNode(1 << ia, new Object[] {merge(a, b, shift + BITS)});
    }
    Object[] slots = ia < ib ? new Object[] {a, b} : new Object[] {b, a};
    return new BitmapNode((1 << ia) | (1 << ib), slots);
  }

  /** Removes the key below {@code node}; returns the replacement node, or null when empty. */
  private static Object remove(Object node, int shift, int hash, String key) {
    if (node instanceof Leaf) {
      return null; // the caller checked presence, so this is the leaf
    }
    if (node instanceof CollisionNode) {
      return ((CollisionNode) node).remove(key);
    }
    BitmapNode b = (BitmapNode) node;
    int bit = 1 << ((hash >>> shift) & MASK);
    int idx = Integer.bitCount(b.bitmap & (bit - 1));
    Object child = remove(b.slots[idx], shift + BITS, hash, key);
    if (child == null) {
      if (b.slots.length == 1) {
        return null;
      }
      Object[] slots = new Object[b.slots.length - 1];
      System.arraycopy(b.slots, 0, slots, 0, idx);
      System.arraycopy(b.slots, idx + 1, slots, idx, slots.length - idx);
      BitmapNode shrunk = new BitmapNode(b.bitmap & ~bit, slots);
      // A lone leaf moves up so the trie stays as shallow as its contents need.
      return shift > 0 && slots.length == 1 && slots[0] instanceof Leaf ? slots[0] : shrunk;
    }
    if (shift > 0 && b.slots.length == 1 && child instanceof Leaf) {
      return child;
    }
    Object[] slots = b.slots.clone();
    slots[idx] = child;
    return new BitmapNode(b.bitmap, slots);
  }

  private static BitmapNode asBitmap(Object node, int shift) {
    if (node instanceof BitmapNode) {
      return (BitmapNode) node;
    }
    int hash = node instanceof Leaf ? ((Leaf) node).hash : ((CollisionNode) node).hash;
    return new BitmapNode(1 << ((hash >>> shift) & MASK), new Object[] {node});
  }

  private static final class Leaf implements Entry {
    final String key;
    final int hash;
    final Row row;

    Leaf(String key, int hash, Row row) {
      this.key = key;
      this.hash = hash;
      this.row = row;
    }

    @Override
    public String key() {
      return key;
    }

    @Override
    public Row row() {
      return row;
    }
  }

  private static final class BitmapNode {
    final int bitmap;
    final Object[] slots;

    BitmapNode(int bitmap, Object[] slots) {
      this.bitmap = bitmap;
      this.slots = slots;
    }
  }

  private static final class CollisionNode {
    final int hash;
    final Leaf[] leaves;

    CollisionNode(int hash, Leaf[] leaves) {
      this.hash = hash;
      this.leaves = leaves;
    }

    Row get(String key) {
      for (Leaf l : leaves) {
        if (l.key.equals(key)) {
          return l.row;
        }
      }
      return null;
    }

    Object put(Leaf leaf, boolean[] added) {
      for (int i = 0; i < leaves.length; i++) {
        if (leaves[i].key.equals(leaf.key)) {
          Leaf[] copy = leaves.clone();
          copy[i] = leaf;
          return new CollisionNode(hash, copy);
        }
      }
      added[0] = true;
      Leaf[] copy = Arrays.copyOf(leaves, leaves.length + 1);
      copy[leaves.length] = leaf;
      return new CollisionNode(hash, copy);
    }

    Object remove(String key) {
      int at = -1;
      for (int i = 0; i < leaves.length; i++) {
        if (leaves[i].key.equals(key)) {
          at = i;
        }
      }
      if (leaves.length == 2) {
        return leaves[1 - at];
      }
      Leaf[] copy = new Leaf[leaves.length - 1];
      System.arraycopy(leaves, 0, copy, 0, at);
      System.arraycopy(leaves, at + 1, copy, at, copy.length - at);
      return new CollisionNode(hash, copy);
    }
  }

  /** Depth-first walk with an explicit stack: at most 8 frames, nothing copied. */
  private static final class Walker implements Iterator<Entry> {
    private final Object[][] stackSlots = new Object[9][];
    private final int[] stackIdx = new int[9];
    private int depth;
    private Leaf[] collision;
    private int collisionIdx;
    private Leaf next;

    Walker(BitmapNode root) {
      stackSlots[0] = root.slots;
      advance();
    }

    private void advance() {
      next = null;
      if (collision != null) {
        if (collisionIdx < collision.length) {
          next = collision[collisionIdx++];
          return;
        }
        collision = null;
      }
      while (depth >= 0) {
        Object[] slots = stackSlots[depth];
        if (stackIdx[depth] >= slots.length) {
          stackSlots[depth] = null;
          depth--;
          continue;
        }
        Object node = slots[stackIdx[depth]++];
        if (node instanceof Leaf) {
          next = (Leaf) node;
          return;
        }
        if (node instanceof CollisionNode) {
          collision = ((CollisionNode) node).leaves;
          collisionIdx = 1;
          next = collision[0];
          return;
        }
        depth++;
        stackSlots[depth] = ((BitmapNode) node).slots;
        stackIdx[depth] = 0;
      }
    }

    @Override
    public boolean hasNext() {
      return next != null;
    }

    @Override
    public Entry next() {
      if (next == null) {
        throw new NoSuchElementException();
      }
      Leaf result = next;
      advance();
      return result;
    }
  }
}
