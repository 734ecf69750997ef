package io.slipstream.server.connection;

import io.slipstream.core.message.CloseCode;
import io.slipstream.server.protocol.ConnectionStats;
import io.slipstream.server.protocol.ConnectionsQuery;
import io.vertx.core.json.JsonObject;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every open connection of this node, at most {@code maxConnections}, and at most {@code
 * maxConnectionsPerAddress} from one remote address.
 *
 * <p>Thread-safe. Connections are confined to their event loops; the registry only reaches them
 * through methods that hop onto their loop.
 */
public final class ConnectionRegistry {

  /** What {@link #tryReserve} answers. */
  public enum Admission {
    /** A slot is reserved: open the connection. */
    ADMITTED,
    /** The node holds {@code maxConnections}: 503 or 1012, go elsewhere. */
    NODE_FULL,
    /** The address holds {@code maxConnectionsPerAddress}: 429 or 1008, back off. */
    ADDRESS_FULL
  }

  private final ConcurrentHashMap<String, Connection> open = new ConcurrentHashMap<>();

  /**
   * Reserved slots per remote address. Bounded by {@code maxConnections} entries: an address is
   * there only while it holds a slot, and is removed with its last.
   */
  private final ConcurrentHashMap<String, Integer> perAddress = new ConcurrentHashMap<>();

  private final int maxPerAddress;
  private final AtomicInteger reserved = new AtomicInteger();
  private final AtomicLong ids = new AtomicLong();
  private final QualityTicks qualityTicks = new QualityTicks();
  private final int maxConnections;
  private final String idPrefix;

  /** A single node's connections: ids {@code c1}, {@code c2}, …; no per-address limit. */
  public ConnectionRegistry(int maxConnections) {
    this(maxConnections, maxConnections, "");
  }

  /**
   * @param idPrefix what makes this node's connection ids unique in its cluster (a part of the node
   *     id and a dash), or empty on a single node
   */
  public ConnectionRegistry(int maxConnections, int maxPerAddress, String idPrefix) {
    this.maxConnections = maxConnections;
    this.maxPerAddress = maxPerAddress;
    this.idPrefix = idPrefix;
  }

  /**
   * Reserves a slot for a new connection from {@code address}, unless the node or the address is at
   * its bound. Every reservation is given back exactly once, by {@link #release}, whether or not
   * its connection ever started.
   */
  public Admission tryReserve(String address) {
    if (reserved.incrementAndGet() > maxConnections) {
      reserved.decrementAndGet();
      return Admission.NODE_FULL;
    }
    boolean[] admitted = {false};
    perAddress.compute(
        address,
        (a, n) -> {
          int held = n == null ? 0 : n;
          if (held >= maxPerAddress) {
            return n;
          }
          admitted[0] = true;
          return held + 1;
        });
    if (!admitted[0]) {
      reserved.decrementAndGet();
      return Admission.ADDRESS_FULL;
    }
    return Admission.ADMITTED;
  }

  String nextId() {
    return idPrefix + "c" + ids.incrementAndGet();
  }

  void add(Connection c) {
    open.put(c.id(), c);
  }

  /** Forgets {@code c} if it was added, and gives back the slot it reserved; call once. */
  void release(Connection c) {
    open.remove(c.id(), c);
    perAddress.computeIfPresent(c.address(), (a, n) -> n <= 1 ? null : n - 1);
    reserved.decrementAndGet();
  }

  /** Number of open connections. */
  public int size() {
    return open.size();
  }

  /**
   * The descriptions {@code query} selects of this node's connections (a page and one more, or
   * all for the bare array), each read on its connection's event loop.
   */
  public Future<List<JsonObject>> select(ConnectionsQuery query) {
    return describeAll()
        .map(
            all -> {
              List<JsonObject> json = new ArrayList<>(all.size());
              for (ConnectionStats s : all) {
                json.add(s.toJson());
              }
              return query.select(json);
            });
  }

  /** The one quality tick of each event loop its connections run on. */
  QualityTicks qualityTicks() {
    return qualityTicks;
  }

  /** Describes every connection, each read on its own event loop. */
  public Future<List<ConnectionStats>> describeAll() {
    List<Future<ConnectionStats>> all = new ArrayList<>();
    for (Connection c : open.values()) {
      all.add(c.describe());
    }
    return Future.join(all)
        .map(
            cf -> {
              List<ConnectionStats> out = new ArrayList<>();
              for (int i = 0; i < cf.size(); i++) {
                if (cf.succeeded(i) && cf.resultAt(i) != null) {
                  out.add(cf.resultAt(i));
                }
              }
              return out;
            });
  }

  /**
   * Closes the connection {@code id}, whose session was resumed elsewhere, with 1000. The future
   * completes, on that connection's event loop, once it has released and handed its positions over
   * to the session; at once when it is gone already (it released before leaving the map).
   */
  public Future<Void> closeReplaced(String id) {
    Connection c = open.get(id);
    return c == null ? Future.succeededFuture() : c.closeReplaced();
  }

  /**
   * Closes connection {@code id} with {@code code} (a disconnect asked for from any node);
   * completes with whether it was open here.
   */
  public Future<Boolean> disconnect(String id, CloseCode code) {
    Connection c = open.get(id);
    return c == null ? Future.succeededFuture(false) : c.closeWith(code).map(true);
  }

  /**
   * Moves connection {@code id} to QoS class {@code qos} (an operator's change, from any node);
   * completes with whether it was open and welcomed here, and fails when no such class exists.
   */
  public Future<Boolean> changeQos(String id, String qos) {
    Connection c = open.get(id);
    return c == null ? Future.succeededFuture(false) : c.changeQos(qos);
  }

  /** Closes every connection with 1012 (server restarting); completes when all are closed. */
  public Future<Void> closeAllRestarting() {
    List<Future<Void>> all = new ArrayList<>();
    for (Connection c : open.values()) {
      all.add(c.closeWith(CloseCode.RESTARTING));
    }
    return Future.join(all).mapEmpty();
  }
}
