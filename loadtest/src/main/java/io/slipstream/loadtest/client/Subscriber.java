package io.slipstream.loadtest.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.slipstream.loadtest.accounting.SeqAccountant;
import io.slipstream.loadtest.accounting.Tally;
import io.slipstream.loadtest.wire.ClientMessages;
import io.slipstream.loadtest.wire.FrameScanner;
import io.slipstream.loadtest.wire.SockJsFrames;
import io.slipstream.loadtest.wire.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One logical Slipstream client: it says {@code hello}, subscribes, hands every message to the
 * {@link TopicStream} of its topic, acks, and, when its plan says so, stops reading, drops its
 * connection (one of the {@link Churn.Kind}s) and comes back with its resume token and positions,
 * or as a new client. A client of a cluster ({@link ClientPlan#nodes}) moves to the next node
 * after a failed connect or a close it did not ask for, and, with {@link ClientPlan#silenceMs},
 * pings and gives up a socket on which nothing arrives (a hung node), as a real client would.
 *
 * <p>Confined to its {@link ClientVerticle}'s event loop. The hot path ({@code change}) reads the
 * topic and {@code seq} by scanning the text frame; only control messages are parsed into JSON
 * objects.
 */
final class Subscriber implements Client, SockJsFrames.Sink, TopicStream.Owner {

  private static final String SEQ = "\"seq\":";
  private static final String TOPIC = "\"topic\":";
  private static final int MAX_RECONNECTS = 10_000;
  private static final long RESTORE_TIMEOUT_NANOS = 5_000_000_000L;

  /** Most sockets a client keeps after giving them up ({@code VANISH}); the oldest is closed. */
  private static final int MAX_ABANDONED = 4;

  /** A given-up socket the server has not closed after this long is closed by the client. */
  private static final long ABANDONED_TTL_MS = 30_000;

  private final String id;
  private final ClientPlan plan;
  private final Vertx vertx;
  private final WebSocketClient wsClient;
  private final ClientShared shared;
  private final Tally tally;
  private final boolean slowClient;
  private final Random random;
  private final boolean traced;
  private final TopicStream[] streams;
  private final long silenceNanos;

  /** Sockets given up while open, oldest first; at most {@link #MAX_ABANDONED}. */
  private final ArrayDeque<Link> abandoned = new ArrayDeque<>(MAX_ABANDONED);

  private ClientWebSocket ws;
  private Link current;
  private boolean connecting;
  private boolean stopped;
  private boolean plannedClose;
  private boolean paused;
  private boolean everOpened;
  private int sockJsCloseCode;
  private int lastCloseCode;
  private long reconnects;
  private long nextSubscribeId = 1;
  private String resumeToken;
  private boolean presentedToken;

  /** Per stream, whether the last {@code hello} named its position: the server subscribes it. */
  private final boolean[] presented;
  private long welcomedNanos;
  /** The drop time of the last storm this client took part in (ClientShared#storm). */
  private long stormSeen;
  /** Closed by a storm: reconnects at the storm's comeback time. */
  private boolean stormAway;
  /** When the reconnect after a storm began, until the first change on the new socket; or 0. */
  private long stormBackNanos;
  private boolean awaitingRestore;
  private int sinceAck;
  private long nextDropAtNanos;
  private long nextAckAtNanos;
  private long slowCredit;
  private boolean freshStart;

  /** The index in {@link ClientPlan#nodes} of the node the client connects to now, or -1. */
  private int node;

  /** The node of the last socket that opened, to count moves to another one. */
  private int openedNode;

  private long lastHeardNanos;
  private long nextPingNanos;
  private long resumes;
  private long failovers;

  /**
   * One socket of this client. Frames of a socket the client has given up are ignored, as a dead
   * network would lose them.
   */
  private static final class Link {
    final ClientWebSocket socket;

    /** What {@code connect} completed with: Vert.x's own socket, whose channel a reset closes. */
    WebSocket connected;

    boolean abandoned;

    Link(ClientWebSocket socket) {
      this.socket = socket;
    }
  }

  Subscriber(
      String id,
      ClientPlan plan,
      Vertx vertx,
      WebSocketClient wsClient,
      SingleWriterRecorder latency,
      TopicStream.NodeLatency byNode,
      ClientShared shared,
      boolean slowClient,
      long seed) {
    this.id = id;
    this.plan = plan;
    this.vertx = vertx;
    this.wsClient = wsClient;
    this.shared = shared;
    this.tally = shared.tally();
    this.slowClient = slowClient;
    this.random = new Random(seed);
    this.traced = id.endsWith("-0");
    this.streams = new TopicStream[plan.topics().size()];
    this.presented = new boolean[streams.length];
    this.node = plan.nodes().indexOf(plan.endpoint());
    this.openedNode = node;
    this.silenceNanos = plan.silenceMs() * 1_000_000L;
    for (int i = 0; i < streams.length; i++) {
      streams[i] =
          new TopicStream(
              plan.topics().get(i),
              shared,
              latency,
              plan.recordLatency() && !slowClient,
              plan.trackRows(),
              plan.recordVersions(),
              node >= 0 ? byNode : null,
              this);
    }
  }

  /** Whether this is a client that stops reading. */
  boolean isSlow() {
    return slowClient;
  }

  // ---- connection lifecycle ----

  @Override
  public void connect() {
    if (stopped || connecting) {
      return;
    }
    connecting = true;
    sockJsCloseCode = 0;
    if (stormAway) {
      stormAway = false;
      stormBackNanos = System.nanoTime();
    }
    ClientWebSocket socket = wsClient.webSocket();
    Link link = new Link(socket);
    socket.textMessageHandler(
        f -> {
          if (!link.abandoned) {
            onFrame(f);
          }
        });
    // SockJS's raw websocket transport sends what the server writes as binary frames.
    socket.binaryMessageHandler(
        b -> {
          if (!link.abandoned) {
            onFrame(b.toString(StandardCharsets.UTF_8));
          }
        });
    socket.exceptionHandler(e -> {});
    socket.closeHandler(v -> onClose(link));
    Endpoint at = endpoint();
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setHost(at.host())
            .setPort(at.port())
            .setSsl(at.ssl())
            .setURI(plan.transport().path(plan.wsPath(), plan.sockJsPath(), random))
            // A hung node accepts TCP but never answers the upgrade: the silence allowance applies.
            .setTimeout(silenceNanos > 0 ? Math.max(2_000, plan.silenceMs()) : 15_000);
    socket
        .connect(options)
        .onComplete(
            ar -> {
              connecting = false;
              if (ar.failed()) {
                tally.connectFailures.increment();
                // A node that refuses is down: try the next one soon, as after a close.
                scheduleReconnect(moveOn() ? plan.reconnectDelayMs() : 1000);
                return;
              }
              link.connected = ar.result();
              opened(link);
            });
  }

  private void opened(Link link) {
    ClientWebSocket socket = link.socket;
    ws = socket;
    current = link;
    if (everOpened) {
      reconnects++;
      tally.reconnects.increment();
      if (node != openedNode) {
        failovers++;
        tally.failovers.increment();
      }
    }
    openedNode = node;
    lastHeardNanos = System.nanoTime();
    nextPingNanos = lastHeardNanos + silenceNanos / 3;
    everOpened = true;
    tally.opened.increment();
    tally.open.incrementAndGet();
    if (stopped) {
      socket.close();
      return;
    }
    plannedClose = false;
    awaitingRestore = false;
    nextDropAtNanos = 0; // a connection lives about a churn interval, counted from its opening
    if (plan.transport() != Transport.SOCKJS) {
      sendHello(); // SockJS: after the "o" frame
    }
  }

  private void sendHello() {
    Map<String, ClientMessages.Position> positions = new LinkedHashMap<>();
    String token = null;
    java.util.Arrays.fill(presented, false);
    if (plan.resumeWithToken() && resumeToken != null) {
      token = resumeToken;
      for (int i = 0; i < streams.length; i++) {
        ClientMessages.Position p = streams[i].position();
        if (p != null) {
          positions.put(streams[i].topic(), p);
          presented[i] = true;
        }
      }
    }
    presentedToken = token != null;
    send(ClientMessages.hello(id, plan.batch(), plan.token(), token, positions));
  }

  private void onClose(Link link) {
    ClientWebSocket socket = link.socket;
    if (link.abandoned) {
      abandoned.remove(link);
      tally.abandonedClosed(closeCode(socket));
      return;
    }
    if (socket != ws) {
      return;
    }
    int code = sockJsCloseCode;
    if (code == 0) {
      code = closeCode(socket);
    }
    lastCloseCode = code;
    tally.closed(code);
    tally.open.decrementAndGet();
    for (TopicStream s : streams) {
      s.disconnected();
    }
    ws = null;
    current = null;
    paused = false;
    if (stopped) {
      return;
    }
    if (stormAway) {
      long waitMs = (shared.stormBackAt() - System.nanoTime()) / 1_000_000L;
      vertx.setTimer(Math.max(1, waitMs), t -> connect());
    } else if (plannedClose) {
      scheduleReconnect(plan.reconnectDelayMs());
    } else if (plan.reconnect()) {
      moveOn();
      scheduleReconnect(Math.max(plan.reconnectDelayMs(), 250));
    }
  }

  /** The endpoint the next socket goes to. */
  private Endpoint endpoint() {
    return node < 0 ? plan.endpoint() : plan.nodes().get(node);
  }

  /** Moves to the next node of the plan's list; returns false when there is none to move to. */
  private boolean moveOn() {
    if (node < 0 || plan.nodes().size() < 2) {
      return false;
    }
    node = (node + 1) % plan.nodes().size();
    return true;
  }

  /** The WebSocket close code; safe in the close handler only (vertx5.md §10.1). */
  private static int closeCode(ClientWebSocket socket) {
    Short sc = socket.closeStatusCode();
    return sc == null ? 1006 : sc;
  }

  private void scheduleReconnect(long meanDelayMs) {
    if (stopped || !plan.reconnect() && !plannedClose || reconnects >= MAX_RECONNECTS) {
      return;
    }
    long delay = Math.max(1, (long) (meanDelayMs * (0.5 + random.nextDouble())));
    vertx.setTimer(delay, t -> connect());
  }

  @Override
  public void stop() {
    stopped = true;
    for (Link l : abandoned) {
      if (!l.socket.isClosed()) {
        l.socket.close();
      }
    }
    if (ws != null && !ws.isClosed()) {
      if (paused) {
        ws.resume();
      }
      ws.close();
    }
  }

  @Override
  public void resumeReading() {
    if (ws != null && paused) {
      paused = false;
      ws.resume();
    }
  }

  private void send(String message) {
    ClientWebSocket socket = ws;
    if (socket != null && !socket.isClosed()) {
      String frame = plan.transport().encode(message);
      if (traced && shared.tracing()) {
        shared.trace(id + " >> " + frame);
      }
      socket.writeTextMessage(frame);
    }
  }

  // ---- inbound ----

  private void onFrame(String frame) {
    if (silenceNanos > 0) {
      lastHeardNanos = System.nanoTime();
    }
    if (traced && shared.tracing()) {
      shared.trace(id + " << " + frame);
    }
    if (plan.transport() == Transport.SOCKJS) {
      if (!SockJsFrames.decode(frame, this)) {
        tally.protocolErrors.increment();
      }
      return;
    }
    dispatch(frame);
  }

  @Override
  public void message(String json) {
    dispatch(json);
  }

  @Override
  public void open() {
    sendHello();
  }

  @Override
  public void close(int code, String reason) {
    sockJsCloseCode = code;
  }

  private void dispatch(String frame) {
    if (plan.batch()) {
      if (FrameScanner.forEachMessage(frame, 0, frame.length(), this::onMessage) < 0) {
        tally.protocolErrors.increment();
      }
    } else {
      onMessage(frame, 0, frame.length());
    }
  }

  private void onMessage(String s, int from, int to) {
    if (FrameScanner.typeIs(s, from, to, "change")) {
      onChange(s, from, to);
    } else {
      onControl(s, from, to);
    }
  }

  private void onChange(String s, int from, int to) {
    TopicStream stream = streams.length == 1 ? streams[0] : streamIn(s, from, to);
    long seq = FrameScanner.longField(s, SEQ, from, to);
    if (stream == null || seq == FrameScanner.ABSENT) {
      tally.protocolErrors.increment();
      return;
    }
    if (stormBackNanos != 0) {
      shared.backToChange().recordValue(ClientShared.clamp((System.nanoTime() - stormBackNanos) / 1000));
      stormBackNanos = 0;
    }
    if (stream.change(s, from, to, seq) && ++sinceAck >= plan.ackEvery()) {
      sinceAck = 0;
      ack(stream);
    }
  }

  private TopicStream streamIn(String s, int from, int to) {
    for (TopicStream stream : streams) {
      if (FrameScanner.stringFieldEquals(s, TOPIC, from, to, stream.topic())) {
        return stream;
      }
    }
    return null;
  }

  private void onControl(String s, int from, int to) {
    JsonObject m;
    try {
      m = new JsonObject(s.substring(from, to));
    } catch (DecodeException | ClassCastException e) {
      tally.protocolErrors.increment();
      return;
    }
    String type = m.getString("type", "");
    switch (type) {
      case "welcome":
        onWelcome(m);
        return;
      case "warning":
        tally.warnings.increment();
        return;
      case "error":
        tally.errors.increment();
        shared.logError(id + ": " + m.encode());
        return;
      case "ping":
        send(ClientMessages.pong());
        return;
      case "subscribed":
      case "snapshot":
      case "dropped":
      case "conflated":
      case "reset":
        break;
      default:
        return; // pong, unsubscribed and future message types need nothing
    }
    TopicStream stream = stream(m.getString("topic"));
    if (stream == null) {
      tally.protocolErrors.increment();
      return;
    }
    switch (type) {
      case "subscribed":
        stream.subscribed(m);
        break;
      case "snapshot":
        stream.snapshot(m);
        break;
      case "dropped":
        stream.dropped(m);
        break;
      case "conflated":
        stream.conflated(m);
        break;
      default:
        stream.reset();
        break;
    }
  }

  private TopicStream stream(String topic) {
    if (topic == null) {
      return null;
    }
    for (TopicStream s : streams) {
      if (s.topic().equals(topic)) {
        return s;
      }
    }
    return null;
  }

  private void onWelcome(JsonObject m) {
    resumeToken = m.getString("resume");
    boolean resumed = Boolean.TRUE.equals(m.getBoolean("resumed"));
    welcomedNanos = System.nanoTime();
    if (stormBackNanos != 0) {
      shared.backToWelcome().recordValue(ClientShared.clamp((welcomedNanos - stormBackNanos) / 1000));
    }
    if (presentedToken) {
      if (resumed) {
        resumes++;
        tally.resumed.increment();
      } else {
        tally.resumeRefused.increment();
      }
    }
    if (resumed) {
      // The server restores the subscriptions and sends subscribed for each; tick() checks.
      awaitingRestore = true;
      for (TopicStream s : streams) {
        s.subscribing(welcomedNanos);
      }
      return;
    }
    // A refused resume still subscribes every topic hello named, from its position
    // (docs/protocol.md §3): subscribing again would restart it and replay what just came.
    for (int i = 0; i < streams.length; i++) {
      if (presented[i]) {
        awaitingRestore = true;
        streams[i].subscribing(welcomedNanos);
      } else {
        subscribe(streams[i]);
      }
    }
    freshStart = false;
  }

  private void subscribe(TopicStream s) {
    // A fresh start forgets the position too: a new client subscribes for a snapshot.
    ClientMessages.Position from = plan.reconnect() && !freshStart ? s.position() : null;
    s.subscribing(System.nanoTime());
    send(ClientMessages.subscribe(s.topic(), nextSubscribeId++, from));
  }

  @Override
  public void wentLive(TopicStream stream) {
    awaitingRestore = false;
    if (slowClient && plan.slowAfterMs() >= 0) {
      vertx.setTimer(Math.max(1, plan.slowAfterMs()), t -> pause());
    }
  }

  private void pause() {
    if (ws != null && !paused && !stopped) {
      paused = true;
      ws.pause();
    }
  }

  // ---- housekeeping ----

  @Override
  public void tick(long now) {
    if (ws == null) {
      return;
    }
    if (silenceNanos > 0 && silent(now)) {
      return;
    }
    if (now >= nextAckAtNanos) {
      nextAckAtNanos = now + 1_000_000_000L;
      for (TopicStream s : streams) {
        ack(s);
      }
    }
    if (paused && plan.slowReadPerSecond() > 0) {
      slowCredit += plan.slowReadPerSecond() * (long) ClientVerticle.TICK_MS;
      int n = (int) (slowCredit / 1000);
      if (n > 0) {
        slowCredit -= n * 1000L;
        ws.fetch(n);
      }
    }
    if (awaitingRestore && now - welcomedNanos > RESTORE_TIMEOUT_NANOS) {
      // The server restored (or subscribed from hello's positions) nothing: a violation;
      // subscribe from our position.
      awaitingRestore = false;
      tally.protocolErrors.increment();
      shared.logError(id + ": no subscribed within 5 s of welcome for the topics hello named");
      for (TopicStream s : streams) {
        if (!s.live()) {
          subscribe(s);
        }
      }
    }
    storm(now);
    churn(now);
  }

  /** Takes part in a storm (ClientShared#storm): a clean close at its drop time, once. */
  private void storm(long now) {
    long at = shared.stormDropAt();
    if (at == 0 || at == stormSeen || now < at || slowClient) {
      return;
    }
    stormSeen = at;
    if (ws == null || plannedClose) {
      return; // between sockets already: not part of this one
    }
    stormAway = true;
    closeCleanly();
  }

  /** A planned clean close (1000), after acking what was applied; the client comes back. */
  private void closeCleanly() {
    plannedClose = true;
    tally.dropsClean.increment();
    for (TopicStream s : streams) {
      ack(s);
    }
    ws.close();
  }

  /**
   * Pings when a third of the silence allowance passed since the last ping, and gives the socket
   * up when nothing arrived for the whole allowance; returns whether it gave up.
   */
  private boolean silent(long now) {
    if (now - lastHeardNanos > silenceNanos) {
      tally.silenceGiveUps.increment();
      Endpoint at = endpoint();
      shared.logError(
          id + ": nothing heard for " + plan.silenceMs() + " ms on " + at.host() + ":" + at.port());
      moveOn();
      abandon();
      return true;
    }
    if (now >= nextPingNanos) {
      nextPingNanos = now + silenceNanos / 3;
      send(ClientMessages.ping());
    }
    return false;
  }

  /** Drops the connection about every {@link Churn#meanMs} while churn is on, as it says. */
  private void churn(long now) {
    if (!shared.churning() || slowClient) {
      nextDropAtNanos = 0;
      return;
    }
    Churn how = shared.churnPlan();
    if (nextDropAtNanos == 0) {
      nextDropAtNanos = now + randomInterval(how);
      return;
    }
    if (now < nextDropAtNanos || plannedClose) {
      return;
    }
    nextDropAtNanos = now + randomInterval(how);
    if (how.freshShare() > 0 && random.nextDouble() < how.freshShare()) {
      // Back as a new client: no token (a new session), no position (a snapshot).
      freshStart = true;
      resumeToken = null;
      tally.freshStarts.increment();
    }
    plannedClose = true;
    switch (how.pick(random.nextDouble())) {
      case RESET:
        if (reset(current)) {
          tally.dropsReset.increment();
          return;
        }
        break; // not a Vert.x socket we can reach into: close cleanly instead
      case VANISH:
        tally.dropsVanish.increment();
        abandon();
        return;
      default:
        break;
    }
    closeCleanly();
  }

  /**
   * Resets the TCP connection: SO_LINGER 0 makes the close send RST at once, with neither a close
   * frame nor a FIN handshake. Reaches Netty's channel through Vert.x's internal {@link
   * WebSocketInternal}, which is what {@code connect} completes with in Vert.x 5.0. The close
   * starts at the pipeline's first handler, so it goes straight to the socket: {@code
   * channel.close()} would pass Vert.x's handler, which closes a WebSocket gracefully, with a close
   * frame first.
   *
   * @return false when the socket is not such a socket (nothing was done)
   */
  private static boolean reset(Link link) {
    if (link == null || !(link.connected instanceof WebSocketInternal)) {
      return false;
    }
    try {
      Channel ch = ((WebSocketInternal) link.connected).channelHandlerContext().channel();
      ch.config().setOption(ChannelOption.SO_LINGER, 0);
      ch.pipeline().firstContext().close();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Gives the current socket up without closing it and resumes on a new one: the server still
   * holds the old socket, and the client ignores what arrives on it.
   */
  private void abandon() {
    Link old = current;
    old.abandoned = true;
    if (abandoned.size() >= MAX_ABANDONED) {
      abandoned.pollFirst().socket.close();
    }
    abandoned.addLast(old);
    vertx.setTimer(
        ABANDONED_TTL_MS,
        t -> {
          if (!old.socket.isClosed()) {
            old.socket.close();
          }
        });
    tally.open.decrementAndGet();
    for (TopicStream s : streams) {
      s.disconnected();
    }
    ws = null;
    current = null;
    paused = false;
    scheduleReconnect(plan.reconnectDelayMs());
  }

  private long randomInterval(Churn how) {
    return (long) (how.meanMs() * (0.5 + random.nextDouble()) * 1_000_000L);
  }

  private void ack(TopicStream s) {
    String ack = s.ackDue();
    if (ack != null) {
      send(ack);
    }
  }

  @Override
  public int node() {
    return node;
  }

  @Override
  public long lastSeq(String topic) {
    TopicStream s = stream(topic);
    return s == null ? -1 : s.accountant().last();
  }

  @Override
  public ClientReport report() {
    long received = 0;
    long snapshotRows = 0;
    long dropped = 0;
    long gaps = 0;
    long dups = 0;
    long errors = 0;
    long resets = 0;
    long outOfOrder = 0;
    long epochChanges = 0;
    boolean live = true;
    Map<String, Long> last = new LinkedHashMap<>();
    Map<String, String> epochs = new LinkedHashMap<>();
    for (TopicStream s : streams) {
      SeqAccountant a = s.accountant();
      received += a.received();
      snapshotRows += a.snapshotRows();
      dropped += a.droppedByServer();
      gaps += a.gaps();
      dups += a.duplicates();
      errors += a.protocolErrors();
      resets += a.resets();
      outOfOrder += a.outOfOrder();
      epochChanges += a.epochChanges();
      live &= s.live();
      last.put(s.topic(), a.last());
      epochs.put(s.topic(), a.epoch());
    }
    return new ClientReport(
        id,
        slowClient,
        ws != null,
        live,
        received,
        snapshotRows,
        dropped,
        gaps,
        dups,
        errors,
        resets,
        reconnects,
        lastCloseCode,
        last,
        epochs,
        streams.length == 0 ? null : streams[0].rows(),
        outOfOrder,
        epochChanges,
        resumes,
        failovers,
        node < 0 ? null : endpoint().host() + ":" + endpoint().port(),
        streams.length == 0 ? null : streams[0].versions());
  }
}
