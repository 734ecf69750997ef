package io.slipstream.loadtest.publish;

import java.util.Random;

/**
 * Rows that deflate the way real rows do, for measuring compression ({@code --row-shape realistic}): an
 * order with its fills, e.g. {@code {"t":..,"v":..,"id":"ord-3f9a61c2","sym":"MSFT","side":"sell",
 * "px":412.37,"qty":1200,…,"fills":[{"px":412.35,"qty":100,"venue":"BATS","liq":"maker"},…],
 * "note":"partial fill routed …"}}: field names repeat within a row (as JSON keys of real rows do),
 * values are drawn at random from small vocabularies and number ranges, and the note is words.
 * A row of padding ({@code "xxxx…"}) deflates to almost nothing and would flatter compression.
 *
 * <p>Confined to the publisher's event loop (the caller's {@link Random}). Exact: the row's JSON is
 * {@code size} bytes, or the least that holds its fixed fields.
 */
final class RealisticRow {

  private static final String[] SYMBOLS = {
    "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "JPM", "XOM", "UNH", "V", "PG"
  };
  private static final String[] VENUES = {"XNAS", "XNYS", "BATS", "ARCX", "IEXG", "EDGX"};
  private static final String[] STATUSES = {"new", "partially-filled", "filled", "replaced"};
  private static final String[] WORDS = {
    "order", "routed", "to", "venue", "after", "partial", "fill", "price", "improved", "by",
    "client", "limit", "market", "open", "close", "auction", "desk", "risk", "check", "passed",
    "retry", "queued", "behind", "best", "bid", "ask", "spread", "widened", "during", "news"
  };

  /** Room kept for the closing {@code ,"note":"…"}} when adding fills. */
  private static final int NOTE_RESERVE = 24;

  private RealisticRow() {}

  /** Appends a row stamped {@code t}, numbered {@code v}, of {@code size} bytes. */
  static void append(StringBuilder sb, long t, long v, int origin, int size, Random r) {
    int start = sb.length();
    sb.append("{\"t\":").append(t).append(",\"v\":").append(v);
    if (origin >= 0) {
      sb.append(",\"n\":").append(origin);
    }
    sb.append(",\"id\":\"ord-").append(Integer.toHexString(r.nextInt() | 0x10000000)).append('"');
    sb.append(",\"sym\":\"").append(pick(r, SYMBOLS)).append('"');
    sb.append(",\"side\":\"").append(r.nextBoolean() ? "buy" : "sell").append('"');
    sb.append(",\"px\":").append(price(r));
    sb.append(",\"qty\":").append(100 * (1 + r.nextInt(50)));
    sb.append(",\"status\":\"").append(pick(r, STATUSES)).append('"');
    sb.append(",\"acct\":\"ACC-").append(100_000 + r.nextInt(900_000)).append('"');
    StringBuilder fill = new StringBuilder(96);
    boolean first = true;
    while (true) {
      fill.setLength(0);
      fill.append(first ? ",\"fills\":[" : ",")
          .append("{\"px\":")
          .append(price(r))
          .append(",\"qty\":")
          .append(100 * (1 + r.nextInt(10)))
          .append(",\"venue\":\"")
          .append(pick(r, VENUES))
          .append("\",\"liq\":\"")
          .append(r.nextBoolean() ? "maker" : "taker")
          .append("\"}");
      // +1 for the closing ] of the fills
      if (sb.length() - start + fill.length() + 1 + NOTE_RESERVE > size) {
        break;
      }
      sb.append(fill);
      first = false;
    }
    if (!first) {
      sb.append(']');
    }
    sb.append(",\"note\":\"");
    int room = size - (sb.length() - start) - 2; // closing quote and brace
    int noteStart = sb.length();
    while (sb.length() - noteStart < room) {
      sb.append(pick(r, WORDS)).append(' ');
    }
    sb.setLength(noteStart + Math.max(0, room));
    sb.append("\"}");
  }

  private static String pick(Random r, String[] from) {
    return from[r.nextInt(from.length)];
  }

  /**
   * A price of 10.01 to 999.99 with two decimals, the last never 0, so that the JSON a parser
   * writes back is as long as the one sent (494.10 would come back as 494.1).
   */
  private static String price(Random r) {
    int cents = 1_000 + r.nextInt(99_000);
    if (cents % 10 == 0) {
      cents++;
    }
    int rest = cents % 100;
    return (cents / 100) + (rest < 10 ? ".0" : ".") + rest;
  }
}
