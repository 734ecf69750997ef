package io.slipstream.server.protocol;

import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.message.Violation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;

/**
 * What {@code GET /api/connections} asks for (docs/protocol.md §10): a filter ({@code state},
 * {@code quality}, {@code topic}), an order ({@code sort=fill|lag|rate}, worst first), a page
 * ({@code limit}, {@code cursor}) and whether every member answers ({@code all=true}); and how it
 * is applied to connection descriptions, on one node and again when the members' pages merge.
 *
 * <p>Immutable and thread-safe. Paging is by key set: the cursor names the last connection of a
 * page by its sort value and id, and the next page starts strictly after it. The figures move
 * between pages (a page is a snapshot of live connections), so a connection whose figure changed
 * may show on two pages or on none; each page on its own is ordered and bounded.
 *
 * @param sort {@code fill}, {@code lag}, {@code rate}, or null (by id)
 * @param limit most connections on a page, 1..{@link #MAX_LIMIT}; 0 for the bare array
 * @param cursor after which connection the page starts, or null
 * @param state only connections in this state, or null
 * @param quality only connections of this quality, or null
 * @param topic only connections subscribed to this topic, or null
 * @param all whether every cluster member's connections are gathered
 */
public record ConnectionsQuery(
    String sort,
    int limit,
    Cursor cursor,
    String state,
    String quality,
    String topic,
    boolean all) {

  /** Most connections on one page: what one answer (and one member's reply) may carry. */
  public static final int MAX_LIMIT = 1_000;

  /** Connections on a page when {@code sort} or {@code cursor} is given without {@code limit}. */
  public static final int DEFAULT_LIMIT = 100;

  /** Where a page starts: after the connection with this sort value and id. */
  public record Cursor(double value, String id) {}

  /** A parsed query, or why the parameters were refused. */
  public record Parsed(ConnectionsQuery query, Violation violation) {}

  /** Whether the answer is a page ({@code {connections, next?}}) rather than a bare array. */
  public boolean paged() {
    return limit > 0;
  }

  /**
   * Parses the query parameters (each null when absent).
   *
   * @return the query, or a {@code bad-message} violation naming the parameter
   */
  public static Parsed parse(
      String sort,
      String limit,
      String cursor,
      String state,
      String quality,
      String topic,
      String all) {
    if (sort != null && !sort.equals("fill") && !sort.equals("lag") && !sort.equals("rate")) {
      return refuse("sort must be fill, lag or rate, was " + sort);
    }
    int n = 0;
    if (limit != null) {
      try {
        n = Integer.parseInt(limit);
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 1 || n > MAX_LIMIT) {
        return refuse("limit must be 1.." + MAX_LIMIT + ", was " + limit);
      }
    } else if (sort != null || cursor != null) {
      n = DEFAULT_LIMIT;
    }
    Cursor c = null;
    if (cursor != null) {
      c = decodeCursor(cursor);
      if (c == null) {
        return refuse("cursor is not one this server gave out: " + cursor);
      }
    }
    if (all != null && !all.equals("true") && !all.equals("false")) {
      return refuse("all must be true or false, was " + all);
    }
    return new Parsed(
        new ConnectionsQuery(sort, n, c, state, quality, topic, "true".equals(all)), null);
  }

  private static Parsed refuse(String message) {
    return new Parsed(null, new Violation(ErrorCode.BAD_MESSAGE, message));
  }

  /**
   * The connections of {@code described} that pass the filter, in order, after the cursor, at most
   * {@code limit + 1} of them (the one past the page tells that a next page exists); all of them
   * for the bare array.
   */
  public List<JsonObject> select(List<JsonObject> described) {
    Comparator<JsonObject> order = order();
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject c : described) {
      if (passes(c) && (cursor == null || after(c, order))) {
        out.add(c);
      }
    }
    out.sort(order);
    if (paged() && out.size() > limit + 1) {
      return new ArrayList<>(out.subList(0, limit + 1));
    }
    return out;
  }

  /**
   * The answer's body from what {@link #select} kept (on one node, or merged from every member).
   */
  public String answer(List<JsonObject> selected) {
    if (!paged()) {
      return ConnectionStats.list(selected);
    }
    List<JsonObject> sorted = new ArrayList<>(selected);
    sorted.sort(order());
    if (sorted.size() <= limit) {
      return ConnectionStats.page(sorted, null);
    }
    List<JsonObject> page = sorted.subList(0, limit);
    JsonObject last = page.get(limit - 1);
    return ConnectionStats.page(page, encodeCursor(value(last), last.getString("id")));
  }

  private boolean passes(JsonObject c) {
    if (state != null && !state.equals(c.getString("state"))) {
      return false;
    }
    if (quality != null && !quality.equals(c.getString("quality"))) {
      return false;
    }
    return topic == null || c.getJsonArray("topics").contains(topic);
  }

  private boolean after(JsonObject c, Comparator<JsonObject> order) {
    JsonObject mark = new JsonObject().put("id", cursor.id());
    putValue(mark, cursor.value());
    return order.compare(c, mark) > 0;
  }

  /** Worst first by the sort value, then by id; by id alone without a sort. */
  private Comparator<JsonObject> order() {
    Comparator<JsonObject> byId = Comparator.comparing(c -> c.getString("id"));
    if (sort == null) {
      return byId;
    }
    Comparator<JsonObject> byValue = Comparator.comparingDouble(this::value);
    return byValue.reversed().thenComparing(byId);
  }

  /** The sort value of a description: fill, ack-lag p99 (-1 before any ack), or send rate. */
  private double value(JsonObject c) {
    if (sort == null) {
      return 0;
    }
    switch (sort) {
      case "fill":
        return c.getDouble("fill", 0.0);
      case "lag":
        Object p99 = c.getJsonObject("ackLagMs", new JsonObject()).getValue("p99");
        return p99 instanceof Number n ? n.doubleValue() : -1;
      default:
        return c.getDouble("sentPerSec", 0.0);
    }
  }

  /** Writes {@code v} where {@link #value} reads it, for comparing a cursor. */
  private void putValue(JsonObject mark, double v) {
    if (sort == null) {
      return;
    }
    switch (sort) {
      case "fill":
        mark.put("fill", v);
        break;
      case "lag":
        mark.put("ackLagMs", new JsonObject().put("p99", v < 0 ? null : v));
        break;
      default:
        mark.put("sentPerSec", v);
    }
  }

  private static String encodeCursor(double value, String id) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((value + "|" + id).getBytes(StandardCharsets.UTF_8));
  }

  private static Cursor decodeCursor(String text) {
    try {
      String s = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
      int bar = s.indexOf('|');
      if (bar <= 0 || bar == s.length() - 1) {
        return null;
      }
      return new Cursor(Double.parseDouble(s.substring(0, bar)), s.substring(bar + 1));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The query as a node control message carries it to the other members. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("op", "connections").put("limit", limit);
    o.put("sort", sort).put("state", state).put("quality", quality).put("topic", topic);
    if (cursor != null) {
      o.put("cursor", encodeCursor(cursor.value(), cursor.id()));
    }
    return o;
  }

  /** A member's reply to the control message: {@code {connections: [...]}}. */
  public static JsonObject reply(List<JsonObject> selected) {
    return new JsonObject().put("connections", new JsonArray(List.copyOf(selected)));
  }

  /** The connections of a member's {@link #reply}; none when it is not one. */
  public static List<JsonObject> fromReply(JsonObject reply) {
    List<JsonObject> out = new ArrayList<>();
    JsonArray list = reply == null ? null : reply.getJsonArray("connections");
    if (list != null) {
      for (Object o : list) {
        if (o instanceof JsonObject j) {
          out.add(j);
        }
      }
    }
    return out;
  }

  /** The query a node control message carries, or null when {@code body} is not one. */
  public static ConnectionsQuery fromJson(JsonObject body) {
    if (body == null || !"connections".equals(body.getValue("op"))) {
      return null;
    }
    Integer limit = body.getInteger("limit", 0);
    Parsed p =
        parse(
            body.getString("sort"),
            limit > 0 ? Integer.toString(limit) : null,
            body.getString("cursor"),
            body.getString("state"),
            body.getString("quality"),
            body.getString("topic"),
            null);
    return p.query();
  }
}
