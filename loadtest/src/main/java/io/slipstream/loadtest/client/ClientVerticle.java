package io.slipstream.loadtest.client;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Many simulated clients on one event loop, sharing one {@link WebSocketClient} held in a field (an
 * unreferenced client is closed by the garbage collector, vertx5.md §9).
 *
 * <p>Confined to its event loop: the harness calls the public methods from any thread and they hop
 * onto the verticle's context. The latency recorders have this event loop as their single writer;
 * the sampler thread takes interval histograms from them.
 */
public final class ClientVerticle extends VerticleBase {

  /** Housekeeping period: acks, planned drops, slow reads. */
  static final int TICK_MS = 100;

  private final ClientShared shared;
  private final int maxConnections;
  private final boolean deflate;
  private final SingleWriterRecorder latency =
      new SingleWriterRecorder(1, ClientShared.HIGHEST_MICROS, 3);
  private final TopicStream.NodeLatency byNode =
      new TopicStream.NodeLatency(
          new SingleWriterRecorder(1, ClientShared.HIGHEST_MICROS, 3),
          new SingleWriterRecorder(1, ClientShared.HIGHEST_MICROS, 3));
  private final List<Client> clients = new ArrayList<>();
  private WebSocketClient wsClient;

  /** Created at the first slow subscriber that gets a receive buffer of its own. */
  private WebSocketClient slowWsClient;
  private long timer = -1;

  /**
   * A verticle for up to {@code maxConnections} sockets.
   *
   * @param shared the run's counters and switches
   * @param deflate whether WebSocket connects offer permessage-deflate ({@code --deflate})
   */
  public ClientVerticle(ClientShared shared, int maxConnections, boolean deflate) {
    this.shared = shared;
    this.maxConnections = maxConnections;
    this.deflate = deflate;
  }

  @Override
  public Future<?> start() {
    wsClient = vertx.createWebSocketClient(options());
    timer =
        vertx.setPeriodic(
            TICK_MS,
            id -> {
              long now = System.nanoTime();
              for (Client c : clients) {
                c.tick(now);
              }
            });
    return Future.succeededFuture();
  }

  private WebSocketClientOptions options() {
    return new WebSocketClientOptions()
        // The default of 50 queues further sockets; -1 hangs every connect (vertx5.md §9).
        .setMaxConnections(Math.max(64, maxConnections * 2))
        .setConnectTimeout(10_000)
        .setMaxFrameSize(1 << 20)
        .setMaxMessageSize(16 << 20)
        // Offered with --deflate: the server may then compress what it sends. The client keeps
        // its inflater's context, as browsers do; frames it sends stay small.
        .setTryUsePerMessageCompression(deflate)
        .setClosingTimeout(2);
  }

  /** The client for slow subscribers: {@link #wsClient} unless they get a receive buffer. */
  private WebSocketClient slowClient() {
    int rcvbuf = shared.slowReceiveBuffer();
    if (rcvbuf <= 0) {
      return wsClient;
    }
    if (slowWsClient == null) {
      slowWsClient = vertx.createWebSocketClient(options().setReceiveBufferSize(rcvbuf));
    }
    return slowWsClient;
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    for (Client c : clients) {
      c.stop();
    }
    return slowWsClient == null
        ? wsClient.close()
        : Future.join(wsClient.close(), slowWsClient.close()).mapEmpty();
  }

  /** Adds and connects Slipstream subscribers named {@code ids}; slow ones stop reading later. */
  public Future<Void> addSubscribers(List<String> ids, ClientPlan plan, boolean slow, long seed) {
    return onContext(
        () -> {
          long s = seed;
          for (String id : ids) {
            Subscriber sub =
                new Subscriber(
                    id,
                    plan,
                    vertx,
                    slow ? slowClient() : wsClient,
                    latency,
                    byNode,
                    shared,
                    slow,
                    s++);
            clients.add(sub);
            sub.connect();
          }
          return null;
        });
  }

  /** Adds and connects raw clients named {@code ids}. */
  public Future<Void> addRawClients(List<String> ids, ClientPlan plan) {
    return onContext(
        () -> {
          for (String id : ids) {
            RawClient c = new RawClient(id, plan, wsClient, latency, shared);
            clients.add(c);
            c.connect();
          }
          return null;
        });
  }

  /** Makes every stopped reader read again (to collect what its buffer held). */
  public Future<Void> resumeReading() {
    return onContext(
        () -> {
          clients.forEach(Client::resumeReading);
          return null;
        });
  }

  /** Closes every client for good. */
  public Future<Void> stopClients() {
    return onContext(
        () -> {
          clients.forEach(Client::stop);
          return null;
        });
  }

  /** What every client saw so far. */
  public Future<List<ClientReport>> reports() {
    return onContext(
        () -> {
          List<ClientReport> out = new ArrayList<>(clients.size());
          for (Client c : clients) {
            out.add(c.report());
          }
          return out;
        });
  }

  /** How many of the non-slow clients have applied {@code topic} up to at least {@code seq}. */
  public Future<Integer> reached(String topic, long seq, boolean includeSlow) {
    return onContext(
        () -> {
          int n = 0;
          for (Client c : clients) {
            if ((includeSlow || !(c instanceof Subscriber && ((Subscriber) c).isSlow()))
                && c.lastSeq(topic) >= seq) {
              n++;
            }
          }
          return n;
        });
  }

  /** Of raw clients: messages that arrived after a higher number, summed. */
  public Future<Long> rawReordered() {
    return onContext(
        () -> {
          long n = 0;
          for (Client c : clients) {
            if (c instanceof RawClient) {
              n += ((RawClient) c).reordered();
            }
          }
          return n;
        });
  }

  /**
   * The latencies recorded since the last call, in microseconds. Call from one thread only (the
   * sampler); {@code recycle} may be the histogram returned last time, or null.
   */
  public Histogram intervalLatency(Histogram recycle) {
    return latency.getIntervalHistogram(recycle);
  }

  /**
   * Of clients on a node list: the latencies recorded since the last call of changes published
   * through another node ({@code crossNode}) or through the client's own, in microseconds. Call
   * from one thread only.
   */
  public Histogram nodeLatency(boolean crossNode) {
    return (crossNode ? byNode.crossNode() : byNode.sameNode()).getIntervalHistogram();
  }

  private <T> Future<T> onContext(java.util.concurrent.Callable<T> work) {
    Promise<T> p = Promise.promise();
    context.runOnContext(
        v -> {
          try {
            p.complete(work.call());
          } catch (Exception e) {
            p.fail(e);
          }
        });
    return p.future();
  }
}
