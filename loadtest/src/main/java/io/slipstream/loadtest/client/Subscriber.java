package io.slipstream.loadtest.client;

import io.slipstream.loadtest.accounting.SeqAccountant;
import io.slipstream.loadtest.accounting.Tally;
import io.slipstream.loadtest.wire.ClientMessages;
import io.slipstream.loadtest.wire.FrameScanner;
import io.slipstream.loadtest.wire.SockJsFrames;
import io.slipstream.loadtest.wire.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One logical Slipstream client: it says {@code hello}, subscribes, hands every message to the
 * {@link TopicStream} of its topic, acks, and, when its plan says so, stops reading, drops its
 * connection and comes back with its resume token and positions.
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

  private ClientWebSocket ws;
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
  private long welcomedNanos;
  private boolean awaitingRestore;
  private int sinceAck;
  private long nextDropAtNanos;
  private long nextAckAtNanos;
  private long slowCredit;

  Subscriber(
      String id,
      ClientPlan plan,
      Vertx vertx,
      WebSocketClient wsClient,
      SingleWriterRecorder latency,
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
    for (int i = 0; i < streams.length; i++) {
      streams[i] =
          new TopicStream(
              plan.topics().get(i),
              shared,
              latency,
              plan.recordLatency() && !slowClient,
              plan.trackRows(),
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
    ClientWebSocket socket = wsClient.webSocket();
    socket.textMessageHandler(this::onFrame);
    // SockJS's raw websocket transport sends what the server writes as binary frames.
    socket.binaryMessageHandler(b -> onFrame(b.toString(StandardCharsets.UTF_8)));
    socket.exceptionHandler(e -> {});
    socket.closeHandler(v -> onClose(socket));
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setHost(plan.endpoint().host())
            .setPort(plan.endpoint().port())
            .setSsl(plan.endpoint().ssl())
            .setURI(plan.transport().path(plan.wsPath(), plan.sockJsPath(), random))
            .setTimeout(15_000);
    socket
        .connect(options)
        .onComplete(
            ar -> {
              connecting = false;
              if (ar.failed()) {
                tally.connectFailures.increment();
                scheduleReconnect(1000);
                return;
              }
              opened(socket);
            });
  }

  private void opened(ClientWebSocket socket) {
    ws = socket;
    if (everOpened) {
      reconnects++;
      tally.reconnects.increment();
    }
    everOpened = true;
    tally.opened.increment();
    tally.open.incrementAndGet();
    if (stopped) {
      socket.close();
      return;
    }
    plannedClose = false;
    awaitingRestore = false;
    if (plan.transport() != Transport.SOCKJS) {
      sendHello(); // SockJS: after the "o" frame
    }
  }

  private void sendHello() {
    Map<String, ClientMessages.Position> positions = new LinkedHashMap<>();
    String token = null;
    if (plan.resumeWithToken() && resumeToken != null) {
      token = resumeToken;
      for (TopicStream s : streams) {
        ClientMessages.Position p = s.position();
        if (p != null) {
          positions.put(s.topic(), p);
        }
      }
    }
    presentedToken = token != null;
    send(ClientMessages.hello(id, plan.batch(), plan.token(), token, positions));
  }

  private void onClose(ClientWebSocket socket) {
    if (socket != ws) {
      return;
    }
    int code = sockJsCloseCode;
    if (code == 0) {
      Short sc = socket.closeStatusCode(); // safe in the close handler (vertx5.md §10.1)
      code = sc == null ? 1006 : sc;
    }
    lastCloseCode = code;
    tally.closed(code);
    tally.open.decrementAndGet();
    for (TopicStream s : streams) {
      s.disconnected();
    }
    ws = null;
    paused = false;
    if (stopped) {
      return;
    }
    if (plannedClose) {
      scheduleReconnect(plan.reconnectDelayMs());
    } else if (plan.reconnect()) {
      scheduleReconnect(Math.max(plan.reconnectDelayMs(), 250));
    }
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
    if (presentedToken) {
      if (resumed) {
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
    for (TopicStream s : streams) {
      subscribe(s);
    }
  }

  private void subscribe(TopicStream s) {
    ClientMessages.Position from = plan.reconnect() ? s.position() : null;
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
      // resumed: true but the server restored nothing: a violation; subscribe from our position.
      awaitingRestore = false;
      tally.protocolErrors.increment();
      shared.logError(id + ": welcome resumed=true but no subscribed within 5 s");
      for (TopicStream s : streams) {
        if (!s.live()) {
          subscribe(s);
        }
      }
    }
    churn(now);
  }

  /** Drops the connection about every {@link ClientShared#churnMeanMs} while churn is on. */
  private void churn(long now) {
    if (!shared.churning() || slowClient) {
      nextDropAtNanos = 0;
      return;
    }
    if (nextDropAtNanos == 0) {
      nextDropAtNanos = now + randomInterval();
    } else if (now >= nextDropAtNanos && !plannedClose) {
      nextDropAtNanos = now + randomInterval();
      plannedClose = true;
      for (TopicStream s : streams) {
        ack(s);
      }
      ws.close();
    }
  }

  private long randomInterval() {
    return (long) (shared.churnMeanMs() * (0.5 + random.nextDouble()) * 1_000_000L);
  }

  private void ack(TopicStream s) {
    String ack = s.ackDue();
    if (ack != null) {
      send(ack);
    }
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
        streams.length == 0 ? null : streams[0].rows());
  }
}
