package io.slipstream.loadtest.publish;

import java.util.Random;

/**
 * Request bodies for {@code POST /api/topics/{topic}/changes}: one change object, or an array of
 * them when several are due at once. Each row is {@code {"t":<micros>,"v":<n>,"p":"xx…"}} padded
 * so that its JSON is {@code rowBytes} long: {@code t} is the send time in microseconds of the
 * tool's own monotonic clock, {@code v} numbers the change (1, 2, …) so that a client's state can
 * be compared key by key with the server's, and each publish found at its seq. Sent to one of
 * several nodes, a row also carries {@code "n"}, the index of that node.
 *
 * <p>Confined to the publisher's event loop. Keys are {@code k0..k<keys-1>}, updated round-robin;
 * with {@code deleteRatio > 0} that share of changes are {@code DELETE}s of a random key (the next
 * {@code UPDATE} of that key re-inserts it). With {@link #realisticRows} the padding gives way to
 * order-like fields ({@link RealisticRow}), which deflate as real rows do.
 */
public final class ChangeBodies implements Bodies {

  /** The smallest row: {@code {"t":..,"v":..,"p":""}} with realistic numbers. */
  public static final int MIN_ROW_BYTES = 48;

  private final int rowBytes;
  private final int keys;
  private final double deleteRatio;
  private final String op;
  private final int maxPerBody;
  private final String padding;
  private final Random random = new Random(42);

  /** Draws the realistic rows' values; separate, so deletes fall on the same changes either way. */
  private final Random content = new Random(7);

  private boolean realistic;
  private long version;
  private long nextKey;

  /**
   * Bodies of {@code op} changes ({@code UPDATE} or {@code INSERT}).
   *
   * @param rowBytes the row's JSON size, at least {@link #MIN_ROW_BYTES} in effect
   * @param keys how many distinct keys are written
   * @param deleteRatio the share of changes that are {@code DELETE}s, in [0, 1)
   * @param maxBodyBytes the largest body (the server's {@code maxPublishBytes} is 1 MiB)
   * @param maxChanges the most changes per body
   */
  public ChangeBodies(
      String op, int rowBytes, int keys, double deleteRatio, int maxBodyBytes, int maxChanges) {
    if (keys < 1) {
      throw new IllegalArgumentException("keys must be at least 1, was " + keys);
    }
    this.op = op;
    this.rowBytes = rowBytes;
    this.keys = keys;
    this.deleteRatio = deleteRatio;
    int perChange = Math.max(rowBytes, MIN_ROW_BYTES) + 48;
    this.maxPerBody = Math.max(1, Math.min(maxChanges, maxBodyBytes / perChange));
    this.padding = "x".repeat(Math.max(0, rowBytes));
  }

  @Override
  public int maxPerBody() {
    return maxPerBody;
  }

  /**
   * The last {@code v} built (the number built, plus the start given to {@link #versionsAfter});
   * -1 with DELETEs, which carry no row and so no {@code v}.
   */
  @Override
  public long built() {
    return deleteRatio > 0 ? -1 : version;
  }

  /**
   * Numbers the following changes from {@code v + 1}, so that versions stay unique across phases (a
   * preload and the updates after it), and a missed update can never look current.
   */
  public ChangeBodies versionsAfter(long v) {
    this.version = v;
    return this;
  }

  /** Makes the following rows realistic ({@link RealisticRow}) rather than padded, or not. */
  public ChangeBodies realisticRows(boolean on) {
    this.realistic = on;
    return this;
  }

  @Override
  public String next(int n, long firstMicros, double stepMicros) {
    return next(n, firstMicros, stepMicros, -1);
  }

  @Override
  public String next(int n, long firstMicros, double stepMicros, int origin) {
    StringBuilder sb = new StringBuilder(n * (rowBytes + 48) + 2);
    if (n > 1) {
      sb.append('[');
    }
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(',');
      }
      change(sb, firstMicros + (long) (i * stepMicros), origin);
    }
    if (n > 1) {
      sb.append(']');
    }
    return sb.toString();
  }

  private void change(StringBuilder sb, long nowMicros, int origin) {
    long v = ++version;
    if (deleteRatio > 0 && random.nextDouble() < deleteRatio) {
      sb.append("{\"op\":\"DELETE\",\"key\":\"k").append(random.nextInt(keys)).append("\"}");
      return;
    }
    long key = nextKey++ % keys;
    sb.append("{\"op\":\"").append(op).append("\",\"key\":\"k").append(key).append("\",\"row\":");
    if (realistic) {
      RealisticRow.append(sb, nowMicros, v, origin, rowBytes, content);
    } else {
      row(sb, nowMicros, v, origin, rowBytes, padding);
    }
    sb.append('}');
  }

  /**
   * Appends a row of {@code size} bytes (or the minimum that holds its fields), naming node {@code
   * origin} unless it is -1.
   */
  static void row(StringBuilder sb, long t, long v, int origin, int size, String padding) {
    int start = sb.length();
    sb.append("{\"t\":").append(t).append(",\"v\":").append(v);
    if (origin >= 0) {
      sb.append(",\"n\":").append(origin);
    }
    sb.append(",\"p\":\"");
    int used = sb.length() - start + 2; // closing quote and brace
    int pad = Math.max(0, size - used);
    sb.append(padding, 0, Math.min(pad, padding.length())).append("\"}");
  }
}
