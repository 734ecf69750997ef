package io.slipstream.server.connection;

import io.slipstream.core.buffer.BufferSink;
import io.slipstream.core.buffer.ClientBuffer;
import io.slipstream.core.buffer.OfferOutcome;
import io.slipstream.core.message.CloseCode;
import io.slipstream.core.message.DropReason;
import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.session.Session;
import io.slipstream.core.session.SessionRegistry;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.Position;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.eventbus.Lifecycle.Event;
import io.slipstream.server.hub.Hub;
import io.slipstream.server.protocol.ClientMessage;
import io.slipstream.server.protocol.Inbound;
import io.slipstream.server.protocol.Outbound;
import io.slipstream.server.topic.TopicRegistry;
import io.slipstream.server.transport.Transport;
import io.slipstream.server.transport.TransportListener;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One client connection: the protocol state machine, its subscriptions, its bounded buffer and
 * the write pump that moves frames to the socket only while the socket has room.
 *
 * <p>Confined to its event loop: the transport, the hub and every timer call it there, so it
 * holds no locks. Other threads reach it only through {@link #describe()} and {@link
 * #closeRestarting()}, which hop onto its loop.
 *
 * <p>What is written, in priority order: control replies ({@code welcome}, {@code subscribed}
 * errors, {@code warning}...), then catch-up frames of subscriptions that are not live yet,
 * alternating with live events from the buffer. Catch-up frames are generated lazily from the
 * topic's state and replay log, so they never occupy the buffer and are never dropped.
 */
public final class Connection implements TransportListener, Hub.Subscriber, BufferSink {

  /** Control messages queued before reading from the client pauses. */
  static final int CONTROL_HIGH_WATER = 256;
  /** Control messages queued below which reading resumes. */
  static final int CONTROL_LOW_WATER = 64;
  /** Frames one pump turn writes before yielding the event loop to other connections. */
  static final int PUMP_BATCH = 256;

  private enum State {
    AWAITING_HELLO,
    ACTIVE,
    CLOSED
  }

  private final String id;
  private final Vertx vertx;
  private final Context context;
  private final ConnectionServices services;
  private final SlipstreamConfig config;
  private final Hub hub;
  private final ClientBuffer buffer;
  private final ErrorBudget errors = new ErrorBudget();
  private final RateLimiter rate;
  private final long connectedAt;
  private Transport transport;

  private State state = State.AWAITING_HELLO;
  private Session session;
  private String clientId;
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  private final ArrayDeque<Subscription> catchingUp = new ArrayDeque<>();
  private final ArrayDeque<byte[]> control = new ArrayDeque<>();
  private boolean readingPaused;
  private boolean pumping;
  private boolean pumpScheduled;
  private boolean awaitingDrain;
  private boolean bufferTurn;
  private boolean dropping;
  private Outbox out;

  private Liveness liveness;
  private long sustainTimer = -1;
  private long rateLimitedSince = -1;
  private long lastRefusal;

  private long droppedReported;
  private long statsAt;
  private long statsSent;
  private final AckLag ackLag = new AckLag();

  Connection(String id, Vertx vertx, Context context, ConnectionServices services, Hub hub) {
    this.id = id;
    this.vertx = vertx;
    this.context = context;
    this.services = services;
    this.config = services.config();
    this.hub = hub;
    this.buffer = new ClientBuffer(config.buffer(), services.clock());
    this.connectedAt = services.clock().wallMillis();
    this.statsAt = connectedAt;
    this.rate = new RateLimiter(config.rateLimit(), config.rateBurst(), connectedAt);
  }

  /**
   * Accepts a new connection on the current event loop, or returns null when the node holds its
   * maximum number of connections.
   */
  public static Connection open(Vertx vertx, ConnectionServices services, Hub hub) {
    if (!services.connections().tryReserve()) {
      return null;
    }
    return new Connection(
        services.connections().nextId(), vertx, vertx.getOrCreateContext(), services, hub);
  }

  /** Binds the transport and starts the hello timer. Call once, right after {@link #open}. */
  public void start(Transport transport) {
    this.transport = transport;
    this.out = new Outbox(transport, services.metrics());
    this.liveness =
        new Liveness(
            vertx,
            services.clock(),
            config.helloTimeoutMs(),
            config.heartbeatMs(),
            config.heartbeatTimeoutMs(),
            transport::ping,
            () -> close(CloseCode.PROTOCOL_VIOLATION),
            () -> close(CloseCode.HEARTBEAT_TIMEOUT));
    services.connections().add(this);
    liveness.awaitHello();
  }

  /** Gives back the reserved slot of a connection whose transport never started. */
  public void abandon() {
    services.connections().remove(this);
  }

  /** This connection's id, unique on the node. */
  public String id() {
    return id;
  }

  // ---------------------------------------------------------------- inbound

  @Override
  public void onText(String text) {
    if (state == State.CLOSED) {
      return;
    }
    long now = services.clock().millis();
    liveness.heard();
    if (text.length() > config.maxFrameBytes() / 3 && utf8Length(text) > config.maxFrameBytes()) {
      close(CloseCode.MESSAGE_TOO_BIG);
      return;
    }
    if (!rate.tryAcquire(now)) {
      onRateLimited(now, text);
      return;
    }
    Inbound.Parsed parsed = Inbound.parse(text);
    if (parsed.violation() != null) {
      fail(parsed.violation().code(), parsed.violation().message(), parsed.id());
      return;
    }
    ClientMessage m = parsed.message();
    if (state == State.AWAITING_HELLO && !(m instanceof ClientMessage.Hello)) {
      fail(ErrorCode.HELLO_REQUIRED, "the first message must be hello", m.id());
      return;
    }
    if (m instanceof ClientMessage.Hello) {
      onHello((ClientMessage.Hello) m);
    } else if (m instanceof ClientMessage.Subscribe) {
      onSubscribe((ClientMessage.Subscribe) m);
    } else if (m instanceof ClientMessage.Unsubscribe) {
      onUnsubscribe((ClientMessage.Unsubscribe) m);
    } else if (m instanceof ClientMessage.Ack) {
      onAck((ClientMessage.Ack) m);
    } else if (m instanceof ClientMessage.Ping) {
      send(Outbound.pong(m.id()));
    }
    // A pong only proves liveness, which liveness.heard() already recorded.
  }

  @Override
  public void onBinary(int length) {
    if (state == State.CLOSED) {
      return;
    }
    liveness.heard();
    if (length > config.maxFrameBytes()) {
      close(CloseCode.MESSAGE_TOO_BIG);
      return;
    }
    fail(ErrorCode.BINARY_NOT_SUPPORTED, "binary frames are not part of the protocol", null);
  }

  @Override
  public void onHeard() {
    liveness.heard();
  }

  private static int utf8Length(String s) {
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /**
   * A message over the rate limit. The client counts as exceeding the limit from its first
   * refused message until a whole second passes without one; {@code sustainMs} of that is 4029.
   */
  private void onRateLimited(long now, String text) {
    if (rateLimitedSince < 0 || now - lastRefusal > 1_000) {
      rateLimitedSince = now;
    }
    lastRefusal = now;
    if (now - rateLimitedSince >= config.sustainMs()) {
      close(CloseCode.RATE_LIMITED);
      return;
    }
    // Not counted against the error budget: the client is fast, not wrong.
    send(
        Outbound.error(
            ErrorCode.RATE_LIMITED,
            "more than " + config.rateLimit() + " messages per second; message not processed",
            Inbound.parse(text).id()));
  }

  private void onHello(ClientMessage.Hello hello) {
    if (state != State.AWAITING_HELLO) {
      fail(ErrorCode.ALREADY_HELLO, "hello was already received", hello.id());
      return;
    }
    if (config.jwtSecret() != null && !Jwt.isValid(hello.token(), config.jwtSecret(), services.clock().wallMillis())) {
      send(Outbound.error(ErrorCode.UNAUTHORIZED, "hello.token must be a valid, unexpired HS256 JWT", hello.id()));
      close(CloseCode.UNAUTHORIZED);
      return;
    }
    liveness.helloReceived();
    state = State.ACTIVE;
    clientId = hello.clientId();
    out.batching(hello.batch());
    SessionRegistry.Opened opened = services.sessions().open(hello.resume(), clientId, id);
    session = opened.session();
    for (Session evicted : opened.evicted()) {
      services.lifecycle().publish(Event.EXPIRED, evicted.id(), null, "evicted: maxSessions reached");
    }
    if (opened.replacedConnection() != null) {
      // The client came back before its old socket was noticed dead: the new one wins.
      services.connections().closeReplaced(opened.replacedConnection());
    }
    send(
        Outbound.welcome(
            session.id(), opened.token(), opened.resumed(), config.heartbeatMs(), config.buffer()));
    services.lifecycle().publish(opened.resumed() ? Event.RESUMED : Event.CONNECTED, session.id(), id, null);
    if (opened.resumed()) {
      // The session's topics, plus any the client names: if its old socket is not yet seen dead,
      // the session has not recorded that socket's subscriptions, but the client knows them.
      Map<String, Position> restore = new LinkedHashMap<>(opened.subscriptions());
      for (Map.Entry<String, Position> p : hello.positions().entrySet()) {
        // The client's own position wins over the session's last ack.
        restore.put(p.getKey(), p.getValue());
      }
      for (Map.Entry<String, Position> e : restore.entrySet()) {
        if (subscriptions.size() < config.maxSubscriptions()) {
          startSubscription(e.getKey(), null, e.getValue(), true);
        }
      }
    }
  }

  private void onSubscribe(ClientMessage.Subscribe m) {
    startSubscription(m.topic(), m.id(), m.from(), false);
  }

  /**
   * Starts (or restarts) a subscription: joins the hub, and once the join is effective begins
   * catching up from {@code from} (null: snapshot).
   *
   * @param announceReset whether an unusable {@code from} is announced with {@code reset} (resume)
   */
  private void startSubscription(String topic, Object requestId, Position from, boolean announceReset) {
    Subscription existing = subscriptions.get(topic);
    if (existing == null && subscriptions.size() >= config.maxSubscriptions()) {
      fail(
          ErrorCode.TOO_MANY_SUBSCRIPTIONS,
          "at most " + config.maxSubscriptions() + " subscriptions per connection",
          requestId);
      return;
    }
    TopicRegistry.Entry entry = services.topics().getOrCreate(topic);
    if (entry == null) {
      fail(ErrorCode.TOPIC_LIMIT, "the server holds its maximum number of topics", requestId);
      return;
    }
    if (existing != null) {
      // Subscribing again restarts the subscription (PROTOCOL.md §3).
      catchingUp.remove(existing);
      buffer.discardTopic(topic);
    } else {
      entry.subscribed();
    }
    Subscription s = new Subscription(topic, entry.topic(), requestId);
    subscriptions.put(topic, s);
    hub.join(topic, this)
        .onComplete(
            ar -> {
              if (state == State.CLOSED || subscriptions.get(topic) != s) {
                return;
              }
              if (ar.failed()) {
                subscriptions.remove(topic);
                entry.unsubscribed();
                hub.leave(topic, this);
                send(Outbound.error(ErrorCode.INTERNAL, "could not subscribe: " + ar.cause().getMessage(), requestId));
                return;
              }
              s.begin(from, announceReset);
              catchingUp.add(s);
              pump();
            });
  }

  private void onUnsubscribe(ClientMessage.Unsubscribe m) {
    Subscription s = subscriptions.remove(m.topic());
    if (s == null) {
      fail(ErrorCode.NOT_SUBSCRIBED, "not subscribed to " + m.topic(), m.id());
      return;
    }
    endSubscription(s);
    send(Outbound.unsubscribed(m.id(), m.topic()));
  }

  private void endSubscription(Subscription s) {
    catchingUp.remove(s);
    buffer.discardTopic(s.topic);
    hub.leave(s.topic, this);
    TopicRegistry.Entry entry = services.topics().get(s.topic);
    if (entry != null) {
      entry.unsubscribed();
    }
  }

  private void onAck(ClientMessage.Ack m) {
    Subscription s = subscriptions.get(m.topic());
    if (s == null) {
      fail(ErrorCode.NOT_SUBSCRIBED, "not subscribed to " + m.topic(), m.id());
      return;
    }
    s.ack(m.seq());
    TopicRegistry.Entry entry = services.topics().get(m.topic());
    ChangeEvent acked = entry == null ? null : entry.topic().log().get(m.seq());
    if (acked != null) {
      ackLag.record(services.clock().wallMillis() - acked.ts());
    }
  }

  /** Answers a bad message with an error; too many errors close the connection with 4004. */
  private void fail(ErrorCode code, String message, Object requestId) {
    if (errors.exceeded(services.clock().millis())) {
      close(CloseCode.PROTOCOL_VIOLATION);
      return;
    }
    send(Outbound.error(code, message, requestId));
  }

  // ---------------------------------------------------------------- live events

  @Override
  public void onChanges(String topic, List<ChangeEvent> events) {
    if (state == State.CLOSED) {
      return;
    }
    Subscription s = subscriptions.get(topic);
    if (s == null) {
      return;
    }
    for (int i = 0; i < events.size(); i++) {
      ChangeEvent e = events.get(i);
      Subscription.Live verdict = s.acceptLive(e);
      if (verdict == Subscription.Live.SKIP) {
        continue;
      }
      if (verdict == Subscription.Live.CATCH_UP) {
        catchingUp.add(s);
        break;
      }
      OfferOutcome outcome = buffer.offer(e);
      if (outcome == OfferOutcome.DISCONNECT) {
        services.lifecycle().publish(Event.SLOW, sessionId(), id, "buffer full under the disconnect policy");
        close(CloseCode.SLOW_CONSUMER);
        return;
      }
      if (outcome == OfferOutcome.DROPPED && !dropping) {
        dropping = true;
        services.lifecycle().publish(Event.DROPPING, sessionId(), id, "buffer full");
      }
      if (buffer.takeWarning()) {
        // A warning overtakes everything we queue: it goes to the socket now, even past its
        // write-queue mark (one small message per upward crossing, so still bounded).
        write(Outbound.warning(buffer.fill(), buffer.pending(), config.buffer().maxEvents()));
        services.lifecycle().publish(Event.WARNED, sessionId(), id, null);
      }
    }
    if (buffer.overDisconnectSince() >= 0 && sustainTimer < 0) {
      armSustainTimer();
    }
    long drops = buffer.droppedEvents();
    if (drops != droppedReported) {
      services.metrics().dropped(drops - droppedReported);
      droppedReported = drops;
    }
    pump();
  }

  // ---------------------------------------------------------------- outbound

  private void send(byte[] message) {
    if (state == State.CLOSED) {
      return;
    }
    control.addLast(message);
    if (control.size() >= CONTROL_HIGH_WATER && !readingPaused) {
      // Replies are produced only by reading: stop reading until the client takes them.
      readingPaused = true;
      transport.pauseReading();
    }
    pump();
  }

  private void pump() {
    if (pumping || state == State.CLOSED) {
      return;
    }
    pumping = true;
    try {
      int budget = PUMP_BATCH;
      out.beginTurn();
      while (state != State.CLOSED) {
        if (out.full()) {
          awaitDrain();
          return;
        }
        if (budget-- == 0) {
          schedulePump();
          return;
        }
        byte[] c = control.pollFirst();
        if (c != null) {
          write(c);
          if (readingPaused && control.size() <= CONTROL_LOW_WATER) {
            readingPaused = false;
            transport.resumeReading();
          }
          continue;
        }
        if (!buffer.isEmpty() && (bufferTurn || catchingUp.isEmpty())) {
          bufferTurn = false;
          buffer.poll(this);
          afterBufferPoll();
          continue;
        }
        Subscription s = catchingUp.peekFirst();
        if (s == null) {
          return;
        }
        bufferTurn = true;
        byte[] frame = s.nextCatchUpFrame();
        if (frame == null) {
          catchingUp.pollFirst();
        } else {
          write(frame);
        }
      }
    } finally {
      pumping = false;
      out.endTurn();
    }
  }

  private void afterBufferPoll() {
    if (dropping && buffer.fill() < config.buffer().warn()) {
      dropping = false;
    }
  }

  /** BufferSink: a live change leaves the buffer. */
  @Override
  public void change(ChangeEvent event) {
    out.writeChange(event.frame());
  }

  /** BufferSink: a gap leaves the buffer, in the place of the changes it stands for. */
  @Override
  public void dropped(String topic, long from, long to, long count) {
    write(Outbound.dropped(topic, from, to, count, DropReason.BUFFER_FULL));
  }

  private void write(byte[] frame) {
    out.write(frame);
  }

  private void awaitDrain() {
    if (!awaitingDrain) {
      awaitingDrain = true;
      transport.onDrain(
          () -> {
            awaitingDrain = false;
            pump();
          });
    }
  }

  private void schedulePump() {
    if (!pumpScheduled) {
      pumpScheduled = true;
      context.runOnContext(
          v -> {
            pumpScheduled = false;
            pump();
          });
    }
  }

  // ---------------------------------------------------------------- timers

  private void armSustainTimer() {
    long due = buffer.overDisconnectSince() + config.sustainMs() - services.clock().millis();
    sustainTimer =
        vertx.setTimer(
            Math.max(1, due),
            t -> {
              sustainTimer = -1;
              if (state == State.CLOSED) {
                return;
              }
              if (buffer.sustainedOverDisconnect(config.sustainMs())) {
                services.lifecycle().publish(Event.SLOW, sessionId(), id, "buffer at or above disconnect for sustainMs");
                close(CloseCode.SLOW_CONSUMER);
              } else if (buffer.overDisconnectSince() >= 0) {
                armSustainTimer();
              }
            });
  }

  private void cancelTimer(long timer) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  // ---------------------------------------------------------------- closing

  /** Closes with {@code code} and releases everything; idempotent. */
  void close(CloseCode code) {
    if (state == State.CLOSED) {
      return;
    }
    // The replies still queued (e.g. the error that explains the close) go out ahead of the
    // close frame; at most CONTROL_HIGH_WATER of them.
    while (!control.isEmpty()) {
      write(control.pollFirst());
    }
    release(code.reason());
    services.metrics().closed(code);
    transport.close(code);
  }

  @Override
  public void onClosed(int code, String reason) {
    release(reason == null ? "closed " + code : "closed " + code + " " + reason);
  }

  private void release(String reason) {
    if (state == State.CLOSED) {
      return;
    }
    boolean hadSession = state == State.ACTIVE;
    state = State.CLOSED;
    liveness.stop();
    cancelTimer(sustainTimer);
    if (session != null) {
      Map<String, Position> positions = new LinkedHashMap<>();
      for (Subscription s : subscriptions.values()) {
        positions.put(s.topic, s.resumePosition());
      }
      services.sessions().suspend(session, id, positions);
    }
    for (Subscription s : subscriptions.values()) {
      endSubscription(s);
    }
    subscriptions.clear();
    catchingUp.clear();
    control.clear();
    buffer.clear();
    services.connections().remove(this);
    if (hadSession) {
      services.lifecycle().publish(Event.DISCONNECTED, session.id(), id, reason);
    }
  }

  private String sessionId() {
    return session == null ? null : session.id();
  }

  /** Closes because the session was resumed on another connection, from any thread. */
  void closeReplaced() {
    context.runOnContext(v -> close(CloseCode.NORMAL));
  }

  /** Closes with 1012 from any thread; completes once closed. */
  Future<Void> closeRestarting() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          close(CloseCode.RESTARTING);
          done.complete();
        });
    return done.future();
  }

  // ---------------------------------------------------------------- stats

  /** A description for {@code /api/connections}, read on this connection's event loop. */
  Future<JsonObject> describe() {
    Promise<JsonObject> p = Promise.promise();
    context.runOnContext(v -> p.complete(state == State.CLOSED ? null : snapshotStats()));
    return p.future();
  }

  /** {@code connecting}, {@code active}, {@code warned} (fill at or above warn) or {@code slow}. */
  private String describeState() {
    if (state == State.AWAITING_HELLO) {
      return "connecting";
    }
    double fill = buffer.fill();
    if (fill >= config.buffer().disconnect()) {
      return "slow";
    }
    return fill >= config.buffer().warn() ? "warned" : "active";
  }

  private JsonObject snapshotStats() {
    long now = services.clock().millis();
    double seconds = Math.max(0.001, (now - statsAt) / 1000.0);
    long sent = out.sent();
    double perSec = (sent - statsSent) / seconds;
    statsAt = now;
    statsSent = sent;
    return new JsonObject()
        .put("id", id)
        .put("session", sessionId())
        .put("clientId", clientId)
        .put("state", describeState())
        .put("transport", transport.kind())
        .put("topics", new io.vertx.core.json.JsonArray(List.copyOf(subscriptions.keySet())))
        .put("pending", buffer.pending())
        .put("pendingBytes", buffer.pendingBytes())
        .put("fill", Math.round(buffer.fill() * 1000) / 1000.0)
        .put("sentPerSec", Math.round(perSec * 10) / 10.0)
        .put("sent", sent)
        .put("dropped", buffer.droppedEvents())
        .put("ackLagMs", new JsonObject().put("p50", ackLag.percentile(0.5)).put("p99", ackLag.percentile(0.99)))
        .put("connectedAt", connectedAt);
  }
}
