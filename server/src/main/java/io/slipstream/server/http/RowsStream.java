package io.slipstream.server.http;

import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.message.Violation;
import io.slipstream.core.topic.ChangeRequest;
import io.slipstream.core.topic.RowMap;
import io.slipstream.core.topic.TopicView;
import io.slipstream.server.protocol.RowsJson;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One answer of {@code GET /api/topics/{topic}/rows} (docs/protocol.md §10, Topics), written from
 * an immutable {@link TopicView} in chunks of about {@link #CHUNK_CHARS} characters, each only once
 * the response's write queue has room, with the event loop yielded between chunks. A table of any
 * size is thus never one string, never blocks the loop, and a client that stops reading holds no
 * more than one chunk and the connection's write queue.
 *
 * <p>Confined to the event loop of the request it answers: it runs in that request's handler and in
 * the tasks and drain handlers it schedules on the same {@link Context}.
 *
 * <p>Without {@code limit} or {@code after} the answer is the whole table at one seq, in the map's
 * iteration order (hash order: unspecified). A page ({@code ?limit=N&after=KEY}) holds the {@code
 * N} smallest keys greater than {@code KEY} in {@link String#compareTo} order (UTF-16 code units,
 * as JavaScript compares strings), consistent at its own seq, with {@code next} set to its last key
 * while greater keys exist. Key order, not the trie's hash order, because hash order is not a
 * function of the set of keys ({@link RowMap} keeps colliding keys in insertion order) and cannot
 * be resumed from a key that was deleted meanwhile; key order needs neither the {@code after} key
 * to still exist nor any index: each page is one lazy scan of the view keeping the {@code N}
 * smallest candidates in a bounded heap, O(rows × log N) time and O(N) memory.
 */
final class RowsStream {

  /** The largest page: {@code limit} is 1 to this, anything else is answered with 400. */
  static final int MAX_LIMIT = 10_000;

  /** About this many characters of JSON go into one write (plus at most one row beyond). */
  static final int CHUNK_CHARS = 16 * 1024;

  /** A page's scan looks at this many rows per event-loop turn, then yields the loop. */
  static final int SCAN_ROWS_PER_TURN = 4_096;

  private static final Logger LOG = Logger.getLogger(RowsStream.class.getName());
  private static final Comparator<RowMap.Entry> BY_KEY = Comparator.comparing(RowMap.Entry::key);

  /**
   * The paging parameters of one request: {@code limit} 0 means the whole table.
   *
   * @param limit the most rows in the page, 1 to {@link #MAX_LIMIT}; 0 for no paging
   * @param after the page starts after this key, or null for the first page
   */
  record Query(int limit, String after) {

    /** The outcome of reading the query string: exactly one of the two is set. */
    record Parsed(Query query, Violation violation) {}

    /** Reads {@code limit} and {@code after}, each given at most once, from the query string. */
    static Parsed parse(List<String> limit, List<String> after) {
      if (limit.size() > 1 || after.size() > 1) {
        return refused(ErrorCode.BAD_MESSAGE, "limit and after may each be given once");
      }
      String a = after.isEmpty() ? null : after.get(0);
      if (a != null && !ChangeRequest.isValidKey(a)) {
        return refused(
            ErrorCode.BAD_KEY,
            "after must be a key of 1.." + ChangeRequest.MAX_KEY_LENGTH + " characters");
      }
      if (limit.isEmpty()) {
        // A first page or not, a page it is: after alone gets the largest page.
        return new Parsed(new Query(a == null ? 0 : MAX_LIMIT, a), null);
      }
      String l = limit.get(0);
      int n =
          l.length() <= 5 && l.chars().allMatch(c -> c >= '0' && c <= '9') && !l.isEmpty()
              ? Integer.parseInt(l)
              : -1;
      if (n < 1 || n > MAX_LIMIT) {
        return refused(
            ErrorCode.BAD_MESSAGE,
            "limit must be a whole number from 1 to " + MAX_LIMIT + ", was \"" + clip(l) + '"');
      }
      return new Parsed(new Query(n, a), null);
    }

    private static Parsed refused(ErrorCode code, String message) {
      return new Parsed(null, new Violation(code, message));
    }

    private static String clip(String s) {
      return s.length() <= 32 ? s : s.substring(0, 32) + "...";
    }
  }

  private final Context context;
  private final HttpServerResponse response;
  private final StringBuilder chunk = new StringBuilder(CHUNK_CHARS + 1024);
  private Iterator<RowMap.Entry> rows;
  private String next;
  private boolean first = true;

  private RowsStream(Context context, HttpServerResponse response) {
    this.context = context;
    this.response = response;
  }

  /**
   * Starts answering with {@code view} on the current event loop; returns at once, the answer is
   * written in later turns.
   */
  static void start(
      Context context, HttpServerResponse response, String topic, TopicView view, Query query) {
    RowsStream s = new RowsStream(context, response);
    RowsJson.head(s.chunk, topic, view.epoch(), view.seq());
    response.setStatusCode(200).setChunked(true).putHeader("content-type", "application/json");
    if (query.limit() == 0) {
      s.rows = view.rows().iterator();
      s.pump();
    } else {
      s.new PageScan(view.rows(), query).scan();
    }
  }

  /** Writes the next chunk, then waits for room in the write queue or yields the loop. */
  private void pump() {
    if (response.closed()) {
      return; // the client went away: the view and the rest of the page are simply dropped
    }
    try {
      while (chunk.length() < CHUNK_CHARS && rows.hasNext()) {
        RowMap.Entry e = rows.next();
        RowsJson.row(chunk, first, e.key(), e.row().json());
        first = false;
      }
      if (!rows.hasNext()) {
        response.end(RowsJson.tail(chunk, next).toString());
        return;
      }
      response.write(chunk.toString());
      chunk.setLength(0);
    } catch (RuntimeException e) {
      // A bug: the status is long sent, so cutting the connection is the only honest answer.
      LOG.log(Level.SEVERE, "rows answer failed midway; closing its connection", e);
      response.reset();
      return;
    }
    if (response.writeQueueFull()) {
      response.drainHandler(
          v -> {
            response.drainHandler(null);
            pump();
          });
    } else {
      context.runOnContext(v -> pump());
    }
  }

  /**
   * Selects one page: the {@code limit} smallest keys after {@code after}, by a lazy scan of the
   * view in steps of {@link #SCAN_ROWS_PER_TURN} rows.
   */
  private final class PageScan {
    private final Iterator<RowMap.Entry> source;
    private final String after;
    private final int limit;

    /** A max-heap of the smallest candidates so far; bound: {@code limit} entries. */
    private final PriorityQueue<RowMap.Entry> smallest;

    private long candidates;

    PageScan(RowMap map, Query query) {
      this.source = map.iterator();
      this.after = query.after();
      this.limit = query.limit();
      this.smallest =
          new PriorityQueue<>(Math.max(1, Math.min(limit, map.size())), BY_KEY.reversed());
    }

    void scan() {
      if (response.closed()) {
        return;
      }
      for (int i = 0; i < SCAN_ROWS_PER_TURN && source.hasNext(); i++) {
        RowMap.Entry e = source.next();
        if (after != null && e.key().compareTo(after) <= 0) {
          continue;
        }
        candidates++;
        if (smallest.size() < limit) {
          smallest.add(e);
        } else if (e.key().compareTo(smallest.peek().key()) < 0) {
          smallest.poll();
          smallest.add(e);
        }
      }
      if (source.hasNext()) {
        context.runOnContext(v -> scan());
        return;
      }
      RowMap.Entry[] page = smallest.toArray(new RowMap.Entry[0]);
      Arrays.sort(page, BY_KEY);
      next = candidates > page.length ? page[page.length - 1].key() : null;
      rows = Arrays.asList(page).iterator();
      pump();
    }
  }
}
