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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One logical Slipstream client: it says {@code hello}, subscribes, applies every change through
 * a {@link SeqAccountant} per topic, acks, and, when its plan says so, stops reading, drops its
 * connection and comes back with its resume token and positions.
 *
 * <p>Confined to its {@link ClientVerticle}'s event loop. The hot path ({@code change}) reads
 * {@code seq}, {@code t} and {@code snapshot} by scanning the text frame; only control messages
 * are parsed into JSON objects.
 */
final class Subscriber implements Client, SockJsFrames.Sink {

  private static final String SEQ = "\"seq\":";
  private static final String T = "\"t\":";
  private static final String V = "\"v\":";
  private static final String TOPIC = "\"topic\":";
  private static final String SNAPSHOT_TRUE = "\"snapshot\":true";
  private static final String KEY_K = "\"key\":\"k";
  private static final String OP_DELETE = "\"op\":\"DELETE\"";
  private static final int MAX_RECONNECTS = 10_000;
  private static final long RESUB_TIMEOUT_NANOS = 5_000_000_000L;

  private final String id;
  private final ClientPlan plan;
  private final Vertx vertx;
  private final WebSocketClient wsClient;
  private final SingleWriterRecorder latency;
  private final ClientShared shared;
  private final Tally tally;
  private final boolean slowClient;
  private final Random random;
  private final boolean traced;

  private final String[] topics;
  private final SeqAccountant[] accountants;
  private final boolean[] liveTopic;
  private final long[] lastAcked;
  private final long[] subscribeSentNanos;
  private final long[] rows;

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
  private long pausedAtNanos = -1;
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
    this.latency = latency;
    this.shared = shared;
    this.tally = shared.tally();
    this.slowClient = slowClient;
    this.random = new Random(seed);
    this.traced = id.endsWith("-0");
    this.topics = plan.topics().toArray(new String[0]);
    this.accountants = new SeqAccountant[topics.length];
    for (int i = 0; i < topics.length; i++) {
      accountants[i] = new SeqAccountant(topics[i]);
    }
    this.liveTopic = new boolean[topics.length];
    this.lastAcked = new long[topics.length];
    this.subscribeSentNanos = new long[topics.length];
    this.rows = plan.trackRows() > 0 ? new long[plan.trackRows()] : null;
    if (rows != null) {
      Arrays.fill(rows, -1);
    }
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
                sendHello();
              }
              // SockJS: hello goes after the "o" frame.
            });
  }

  private void sendHello() {
    Map<String, ClientMessages.Position> positions = new LinkedHashMap<>();
    String token = null;
    if (plan.resumeWithToken() && resumeToken != null) {
      token = resumeToken;
      for (SeqAccountant a : accountants) {
        if (a.epoch() != null && a.last() != SeqAccountant.NONE) {
          positions.put(a.topic(), new ClientMessages.Position(a.epoch(), a.last()));
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
      Short sc = socket.closeStatusCode();
      code = sc == null ? 1006 : sc;
    }
    lastCloseCode = code;
    tally.closed(code);
    tally.open.decrementAndGet();
    for (int i = 0; i < topics.length; i++) {
      setLive(i, false);
    }
    ws = null;
    paused = false;
    pausedAtNanos = -1;
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
      if (traced && shared.tracing()) {
        shared.trace(id + " >> " + plan.transport().encode(message));
      }
      socket.writeTextMessage(plan.transport().encode(message));
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

  private int topicIndex(String s, int from, int to) {
    if (topics.length == 1) {
      return 0;
    }
    for (int i = 0; i < topics.length; i++) {
      if (FrameScanner.stringFieldEquals(s, TOPIC, from, to, topics[i])) {
        return i;
      }
    }
    return -1;
  }

  private void onChange(String s, int from, int to) {
    int ti = topicIndex(s, from, to);
    long seq = FrameScanner.longField(s, SEQ, from, to);
    if (ti < 0 || seq == FrameScanner.ABSENT) {
      tally.protocolErrors.increment();
      return;
    }
    SeqAccountant acc = accountants[ti];
    if (acc.phase() == SeqAccountant.Phase.SNAPSHOT
        && FrameScanner.contains(s, SNAPSHOT_TRUE, from, to)) {
      long e0 = acc.protocolErrors();
      acc.snapshotRow(seq);
      tally.snapshotRows.increment();
      tally.protocolErrors.add(acc.protocolErrors() - e0);
      if (rows != null) {
        applyRow(s, from, to);
      }
      return;
    }
    long g0 = acc.gaps();
    switch (acc.change(seq)) {
      case IN_ORDER:
        tally.received.increment();
        break;
      case GAP:
        tally.received.increment();
        tally.gaps.add(acc.gaps() - g0);
        break;
      default:
        tally.duplicates.increment();
        return;
    }
    if (plan.recordLatency()) {
      long t = FrameScanner.longField(s, T, from, to);
      if (t != FrameScanner.ABSENT) {
        long lat = System.nanoTime() / 1000 - t;
        latency.recordValue(Math.max(0, Math.min(lat, ClientShared.HIGHEST_MICROS)));
      }
    }
    if (rows != null) {
      applyRow(s, from, to);
    }
    if (++sinceAck >= plan.ackEvery()) {
      sinceAck = 0;
      ack(ti);
    }
  }

  /** Applies a change of key {@code k<i>} to the tracked versions. */
  private void applyRow(String s, int from, int to) {
    int k = FrameScanner.indexOf(s, KEY_K, from, to);
    if (k < 0) {
      return;
    }
    long index = FrameScanner.parseLong(s, k + KEY_K.length(), to);
    if (index < 0 || index >= rows.length) {
      return;
    }
    if (FrameScanner.contains(s, OP_DELETE, from, to)) {
      rows[(int) index] = -1;
    } else {
      long v = FrameScanner.longField(s, V, from, to);
      rows[(int) index] = v == FrameScanner.ABSENT ? -2 : v;
    }
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
        break;
      case "subscribed":
        onSubscribed(m);
        break;
      case "snapshot":
        onSnapshot(m);
        break;
      case "dropped":
        onDropped(m);
        break;
      case "conflated":
        {
          int ti = indexOf(m.getString("topic"));
          if (ti >= 0) {
            SeqAccountant acc = accountants[ti];
            long g0 = acc.gaps();
            long n = m.getLong("count", 0L);
            acc.conflated(n);
            tally.conflated.add(n);
            tally.gaps.add(acc.gaps() - g0);
          }
          break;
        }
      case "reset":
        {
          int ti = indexOf(m.getString("topic"));
          if (ti >= 0) {
            accountants[ti].reset();
            tally.resets.increment();
            setLive(ti, false);
          }
          break;
        }
      case "warning":
        tally.warnings.increment();
        break;
      case "error":
        tally.errors.increment();
        shared.logError(id + ": " + m.encode());
        break;
      case "ping":
        send(ClientMessages.pong());
        break;
      default:
        // pong, unsubscribed and future message types need nothing.
        break;
    }
  }

  private int indexOf(String topic) {
    if (topic == null) {
      return -1;
    }
    for (int i = 0; i < topics.length; i++) {
      if (topics[i].equals(topic)) {
        return i;
      }
    }
    return -1;
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
      for (int i = 0; i < topics.length; i++) {
        subscribeSentNanos[i] = welcomedNanos;
      }
      return;
    }
    for (int i = 0; i < topics.length; i++) {
      subscribe(i);
    }
  }

  private void subscribe(int ti) {
    SeqAccountant acc = accountants[ti];
    ClientMessages.Position from =
        plan.reconnect() && acc.epoch() != null && acc.last() != SeqAccountant.NONE
            ? new ClientMessages.Position(acc.epoch(), acc.last())
            : null;
    subscribeSentNanos[ti] = System.nanoTime();
    send(ClientMessages.subscribe(topics[ti], nextSubscribeId++, from));
  }

  private void onSubscribed(JsonObject m) {
    int ti = indexOf(m.getString("topic"));
    if (ti < 0) {
      tally.protocolErrors.increment();
      return;
    }
    SeqAccountant acc = accountants[ti];
    boolean replay = "replay".equals(m.getString("mode"));
    long g0 = acc.gaps();
    acc.subscribed(m.getString("epoch"), m.getLong("seq", 0L), replay);
    tally.gaps.add(acc.gaps() - g0);
    lastAcked[ti] = Math.min(lastAcked[ti], acc.last());
    if (replay) {
      tally.replays.increment();
      setLive(ti, true);
    } else {
      tally.snapshots.increment();
      setLive(ti, false);
      if (rows != null) {
        Arrays.fill(rows, -1);
      }
    }
  }

  private void onSnapshot(JsonObject m) {
    int ti = indexOf(m.getString("topic"));
    if (ti < 0) {
      tally.protocolErrors.increment();
      return;
    }
    SeqAccountant acc = accountants[ti];
    long seq = m.getLong("seq", 0L);
    if ("begin".equals(m.getString("phase"))) {
      if (acc.phase() != SeqAccountant.Phase.SNAPSHOT || acc.last() != seq) {
        // After a reset, or a server that skips subscribed: the snapshot restarts the stream.
        if (acc.phase() != SeqAccountant.Phase.SNAPSHOT && acc.phase() != SeqAccountant.Phase.RESET) {
          tally.snapshots.increment();
        }
      }
      acc.snapshotBegin(m.getString("epoch"), seq);
      if (rows != null) {
        Arrays.fill(rows, -1);
      }
    } else {
      long e0 = acc.protocolErrors();
      acc.snapshotEnd(seq);
      tally.protocolErrors.add(acc.protocolErrors() - e0);
      setLive(ti, true);
    }
  }

  private void onDropped(JsonObject m) {
    int ti = indexOf(m.getString("topic"));
    if (ti < 0) {
      tally.protocolErrors.increment();
      return;
    }
    SeqAccountant acc = accountants[ti];
    long g0 = acc.gaps();
    long d0 = acc.duplicates();
    long x0 = acc.droppedByServer();
    long e0 = acc.protocolErrors();
    acc.dropped(m.getLong("from", 0L), m.getLong("to", 0L), m.getLong("count", 0L));
    tally.gaps.add(acc.gaps() - g0);
    tally.duplicates.add(acc.duplicates() - d0);
    tally.droppedByServer.add(acc.droppedByServer() - x0);
    tally.protocolErrors.add(acc.protocolErrors() - e0);
  }

  private void setLive(int ti, boolean live) {
    if (liveTopic[ti] == live) {
      return;
    }
    liveTopic[ti] = live;
    if (live) {
      tally.live.incrementAndGet();
      long waited = (System.nanoTime() - subscribeSentNanos[ti]) / 1000;
      shared.timeToLive().recordValue(Math.max(0, Math.min(waited, ClientShared.HIGHEST_MICROS)));
      if (plan.slowAfterMs() >= 0 && slowClient) {
        vertx.setTimer(Math.max(1, plan.slowAfterMs()), t -> pause());
      }
      awaitingRestore = false;
    } else {
      tally.live.decrementAndGet();
    }
  }

  private void pause() {
    if (ws != null && !paused && !stopped) {
      paused = true;
      pausedAtNanos = System.nanoTime();
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
      for (int i = 0; i < topics.length; i++) {
        ack(i);
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
    if (awaitingRestore && now - welcomedNanos > RESUB_TIMEOUT_NANOS) {
      // resumed: true but the server restored nothing: a violation; subscribe from our position.
      awaitingRestore = false;
      tally.protocolErrors.increment();
      shared.logError(id + ": welcome resumed=true but no subscribed within 5 s");
      for (int i = 0; i < topics.length; i++) {
        if (!liveTopic[i]) {
          subscribe(i);
        }
      }
    }
    if (shared.churning() && !slowClient) {
      if (nextDropAtNanos == 0) {
        nextDropAtNanos = now + randomInterval();
      } else if (now >= nextDropAtNanos && !plannedClose) {
        nextDropAtNanos = now + randomInterval();
        plannedClose = true;
        for (int i = 0; i < topics.length; i++) {
          ack(i);
        }
        ws.close();
      }
    } else {
      nextDropAtNanos = 0;
    }
  }

  private long randomInterval() {
    return (long) (shared.churnMeanMs() * (0.5 + random.nextDouble()) * 1_000_000L);
  }

  private void ack(int ti) {
    SeqAccountant acc = accountants[ti];
    if (!liveTopic[ti] || acc.last() <= lastAcked[ti]) {
      return;
    }
    lastAcked[ti] = acc.last();
    send(ClientMessages.ack(topics[ti], acc.last()));
    tally.acks.increment();
  }

  /** Whether this is a client that stops reading. */
  boolean isSlow() {
    return slowClient;
  }

  @Override
  public long lastSeq(String topic) {
    int i = indexOf(topic);
    return i < 0 ? -1 : accountants[i].last();
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
    for (int i = 0; i < topics.length; i++) {
      SeqAccountant a = accountants[i];
      received += a.received();
      snapshotRows += a.snapshotRows();
      dropped += a.droppedByServer();
      gaps += a.gaps();
      dups += a.duplicates();
      errors += a.protocolErrors();
      resets += a.resets();
      live &= liveTopic[i];
      last.put(topics[i], a.last());
      epochs.put(topics[i], a.epoch());
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
        rows == null ? null : rows.clone());
  }
}
