package io.slipstream.server.connection;

import io.slipstream.core.buffer.ClientBuffer;
import io.slipstream.core.message.CloseCode;
import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.qos.QosClass;
import io.slipstream.core.session.Positions;
import io.slipstream.core.topic.Position;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.hub.Hub;
import io.slipstream.server.log.LogFields;
import io.slipstream.server.protocol.ClientMessage;
import io.slipstream.server.protocol.ConnectionStats;
import io.slipstream.server.protocol.Inbound;
import io.slipstream.server.protocol.LifecycleJson;
import io.slipstream.server.protocol.Outbound;
import io.slipstream.server.transport.Transport;
import io.slipstream.server.transport.TransportListener;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client connection: the protocol state machine that dispatches what the client sends, and the
 * wiring of the parts that do the work: its {@link Subscriptions}, its bounded buffer, the {@link
 * WritePump} that moves frames to the socket, the {@link SlowConsumerWatch} on the buffer, the
 * {@link SessionBinding} to its session, {@link Liveness}, the inbound limits and the {@link
 * HeldMessages} that wait while the session store answers the hello.
 *
 * <p>Confined to its event loop: the transport, the hub and every timer call it there, so it holds
 * no locks. Other threads reach it only through {@link #describe()}, {@link #closeReplaced()} and
 * {@link #closeWith(CloseCode)}, which hop onto its loop.
 */
public final class Connection implements TransportListener {

  private static final Logger LOG = Logger.getLogger(Connection.class.getName());

  private enum State {
    AWAITING_HELLO,
    /** Hello received; the session store has not answered yet (docs/protocol.md §3). */
    BINDING,
    ACTIVE,
    CLOSED
  }

  private final String id;

  /** The remote address, as the per-address limit counts it. */
  private final String address;

  private final Vertx vertx;
  private final Context context;
  private final ConnectionServices services;
  private final SlipstreamConfig config;
  private final Hub hub;
  private final ClientBuffer buffer;
  private final ErrorBudget errors = new ErrorBudget();
  private final InboundGate gate;
  private final SessionBinding binding;
  private final long connectedAt;
  private final Subscriptions subscriptions;
  private final TokenLease token;

  private State state = State.AWAITING_HELLO;

  /** Messages that came after hello while the store answered it. */
  private final HeldMessages held = new HeldMessages();

  private long bindTimer = -1;
  /**
   * A resumed connection whose client has not yet answered the {@code ping} message sent after its
   * welcome: the token it resumed with still works (pongHeard).
   */
  private boolean tokenUnconfirmed;

  /** Completes once the session store holds what this connection recorded as it ended. */
  private Future<Void> released;
  /** The topics the hello restores, known at once or once a replaced connection handed over. */
  private Future<Map<String, Position>> restoring;

  /** Whether the slot {@link #open} reserved is still held. */
  private boolean holdsSlot = true;

  private Transport transport;
  private Outbox out;
  private WritePump pump;
  private SlowConsumerWatch watch;
  private Liveness liveness;
  private ConnectionQuality quality;
  private AdaptiveBound adaptive;

  /** The QoS class in force: {@code standard} until the hello is bound (docs/protocol.md §5). */
  private QosClass qos;

  /** The class the hello asked for, or null; read when the session store answers. */
  private String askedQos;


  Connection(
      String id,
      String address,
      Vertx vertx,
      Context context,
      ConnectionServices services,
      Hub hub) {
    this.id = id;
    this.address = address;
    this.vertx = vertx;
    this.context = context;
    this.services = services;
    this.config = services.config();
    this.hub = hub;
    this.qos = config.qos().standard();
    this.buffer = new ClientBuffer(qos.buffer(), config.warnRearmMs(), services.clock());
    this.binding = new SessionBinding(id, context, services);
    // An instant for operators: wall time. Every duration below is on the monotonic millis().
    this.connectedAt = services.clock().wallMillis();
    this.gate =
        new InboundGate(
            config.maxFrameBytes(),
            config.rateLimit(),
            config.rateBurst(),
            config.sustainMs(),
            services.clock().millis());
    this.token =
        new TokenLease(
            vertx,
            services.tokens(),
            services.clock(),
            message -> pump.send(message),
            () -> close(CloseCode.UNAUTHORIZED));
    this.subscriptions =
        new Subscriptions(
            services,
            hub,
            buffer,
            new Subscriptions.Owner() {
              @Override
              public boolean closed() {
                return state == State.CLOSED;
              }

              @Override
              public void fail(ErrorCode code, String message, Object requestId) {
                Connection.this.fail(code, message, requestId);
              }

              @Override
              public boolean mayRead(String topic) {
                return token.claims().mayRead(topic);
              }
            });
  }

  /**
   * A new connection from {@code address} on the current event loop, holding the slot that {@link
   * ConnectionRegistry#tryReserve} admitted: {@link #start} or {@link #abandon} gives it back.
   */
  public static Connection open(Vertx vertx, ConnectionServices services, Hub hub, String address) {
    return new Connection(
        services.connections().nextId(), address, vertx, vertx.getOrCreateContext(), services, hub);
  }

  /** Binds the transport and starts the hello timer. Call once, right after {@link #open}. */
  public void start(Transport transport) {
    this.transport = transport;
    // standard's compression until the hello settles the class (apply).
    transport.compress(qos.compression());
    this.out = new Outbox(transport, services.metrics(), services.clock());
    services.metrics().connectionOpened(transport.kind());
    this.watch =
        new SlowConsumerWatch(
            vertx,
            services.clock(),
            buffer,
            qos.sustainMs(),
            services.metrics(),
            (event, reason) -> quality.publish(event, reason, services.clock().millis()),
            message -> pump.writeNow(message),
            () -> close(CloseCode.SLOW_CONSUMER),
            services.budget());
    this.pump =
        new WritePump(
            context, transport, out, buffer, watch::afterPoll, watch::afterTurn, services.clock());
    subscriptions.attach(pump, watch);
    this.adaptive = new AdaptiveBound(buffer, pump, services.clock(), watch::boundChanged);
    this.quality =
        new ConnectionQuality(
            config.quality(),
            services.clock().millis(),
            buffer,
            watch,
            out,
            pump,
            subscriptions.ackLagWindow(),
            (event, reason, figures) ->
                services.lifecycle().publish(event, binding.sessionId(), id, reason, figures),
            () -> {
              subscriptions.reportRows();
              adaptive.tick();
            });
    this.liveness =
        new Liveness(
            vertx,
            services.clock(),
            config.helloTimeoutMs(),
            config.heartbeatMs(),
            config.heartbeatTimeoutMs(),
            this::heartbeat,
            () -> close(CloseCode.PROTOCOL_VIOLATION),
            () -> close(CloseCode.HEARTBEAT_TIMEOUT));
    services.connections().add(this);
    services
        .connections()
        .qualityTicks()
        .join(context, quality, config.quality().tickMs(), services.metrics(), services.clock());
    liveness.awaitHello();
  }

  /** Gives back the reserved slot of a connection whose transport never started. */
  public void abandon() {
    if (transport == null) {
      giveBackSlot();
    }
  }

  /** Gives back the slot {@link #open} reserved, once, whether or not the connection started. */
  private void giveBackSlot() {
    if (holdsSlot) {
      holdsSlot = false;
      services.connections().release(this);
    }
  }

  /** This connection's id, unique on the node. */
  public String id() {
    return id;
  }

  /** The remote address it was admitted for. */
  String address() {
    return address;
  }

  // ---------------------------------------------------------------- inbound

  @Override
  public void onText(String text) {
    if (state == State.CLOSED) {
      return;
    }
    liveness.heard();
    switch (gate.admit(text, services.clock().millis())) {
      case TOO_BIG:
        close(CloseCode.MESSAGE_TOO_BIG);
        return;
      case RATE_LIMITED_TOO_LONG:
        close(CloseCode.RATE_LIMITED);
        return;
      case RATE_LIMITED:
        // Not counted against the error budget: the client is fast, not wrong.
        pump.send(
            Outbound.error(
                ErrorCode.RATE_LIMITED,
                "more than " + config.rateLimit() + " messages per second; message not processed",
                Inbound.parse(text).id()));
        return;
      default:
        break;
    }
    if (state == State.BINDING) {
      hold(text);
      return;
    }
    dispatch(text);
  }

  /**
   * Holds a message that came while the store answers the hello, so that it is answered after the
   * welcome, in order; beyond the bounds it is refused with {@code rate-limited} at once.
   */
  private void hold(String text) {
    if (!held.offer(text)) {
      pump.send(
          Outbound.error(
              ErrorCode.RATE_LIMITED,
              "more than "
                  + HeldMessages.MAX_MESSAGES
                  + " messages or "
                  + HeldMessages.MAX_CHARS
                  + " characters before the welcome; message not processed",
              Inbound.parse(text).id()));
    }
  }

  private void dispatch(String text) {
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
    } else if (m instanceof ClientMessage.Subscribe sub) {
      subscriptions.start(sub.topic(), sub.id(), sub.from(), false);
    } else if (m instanceof ClientMessage.Unsubscribe unsub) {
      subscriptions.unsubscribe(unsub);
    } else if (m instanceof ClientMessage.Ack ack) {
      subscriptions.ack(ack);
    } else if (m instanceof ClientMessage.Auth auth) {
      token.refresh(auth);
    } else if (m instanceof ClientMessage.Ping) {
      pump.send(Outbound.pong(m.id()));
    } else if (m instanceof ClientMessage.Pong) {
      pongHeard();
    }
  }

  @Override
  public void onBinary(int length) {
    if (state == State.CLOSED) {
      return;
    }
    liveness.heard();
    if (!gate.fits(length)) {
      close(CloseCode.MESSAGE_TOO_BIG);
      return;
    }
    fail(ErrorCode.BINARY_NOT_SUPPORTED, "binary frames are not part of the protocol", null);
  }

  @Override
  public void onHeard() {
    liveness.heard();
  }

  /**
   * A heartbeat, only once welcomed (docs/protocol.md §8): before that, the bind deadline bounds
   * the wait, and on SockJS every {@code ping} message follows the {@code welcome}.
   */
  private void heartbeat() {
    if (state == State.ACTIVE) {
      transport.ping();
    }
  }

  /**
   * A {@code pong} message: the client read a {@code ping} message written after the welcome, so
   * it has the welcome and its new token, and the token it resumed with may stop working
   * (SessionStore#tokenDelivered). Only now: a welcome written to a socket is not yet read by the
   * client (its node may freeze with it unsent, the client may have given the socket up), and a
   * client that has not read it still resumes with the old token. A WebSocket pong frame would not
   * do: the socket's stack answers ping frames by itself, also for a client that gave it up.
   */
  private void pongHeard() {
    if (tokenUnconfirmed) {
      tokenUnconfirmed = false;
      binding.tokenDelivered();
    }
  }

  private void onHello(ClientMessage.Hello hello) {
    if (state != State.AWAITING_HELLO) {
      fail(ErrorCode.ALREADY_HELLO, "hello was already received", hello.id());
      return;
    }
    // What comes while the token is checked and the store answers waits, in order.
    state = State.BINDING;
    askedQos = hello.qos();
    token
        .admit(hello.token())
        .onComplete(
            ar -> {
              if (state == State.CLOSED) {
                return;
              }
              if (ar.failed()) {
                pump.send(
                    Outbound.error(
                        ErrorCode.UNAUTHORIZED,
                        "hello.token: " + ar.cause().getMessage(),
                        hello.id()));
                close(CloseCode.UNAUTHORIZED);
                return;
              }
              bind(hello);
            });
  }

  /** The token was admitted: the session is opened or resumed. */
  private void bind(ClientMessage.Hello hello) {
    liveness.helloReceived();
    out.batching(hello.batch());
    // The store may be remote: a deadline, so that a store that never answers cannot hold the
    // connection (the client reconnects, maybe to another node, and resumes).
    bindTimer =
        vertx.setTimer(
            config.helloTimeoutMs(),
            t -> {
              bindTimer = -1;
              if (state == State.BINDING) {
                close(CloseCode.RESTARTING);
              }
            });
    binding.bind(hello, token.claims().subject()).onComplete(this::bound);
  }

  /** The store answered the hello (on this event loop): welcome, restore, then what was held. */
  private void bound(AsyncResult<SessionBinding.Bound> answer) {
    if (bindTimer >= 0) {
      vertx.cancelTimer(bindTimer);
      bindTimer = -1;
    }
    if (answer.failed()) {
      if (state == State.BINDING) {
        close(CloseCode.RESTARTING);
      }
      return;
    }
    SessionBinding.Bound bound = answer.result();
    if (state == State.CLOSED) {
      // Ended while the store answered: the session is attached to this connection there, so it
      // must be suspended now, or its TTL would never start; a resume that replaced a connection
      // first takes what that one hands over, which is the session's.
      released =
          bound
              .restore()
              .transform(
                  ar ->
                      binding.suspend(
                          ar.succeeded() && ar.result() != null ? ar.result() : bound.ifEnded()));
      binding.disconnected("closed before the session store answered the hello");
      return;
    }
    state = State.ACTIVE;
    // Nothing is queued yet (subscriptions start after the welcome): the class applies whole.
    apply(config.qos().choose(bound.keptQos(), token.claims().qos(), askedQos));
    services.metrics().connectionActive(transport.kind());
    pump.send(
        Outbound.welcome(
            bound.session(),
            bound.token(),
            bound.resumed(),
            config.heartbeatMs(),
            qos.name(),
            qos.buffer()));
    if (bound.resumed()) {
      // Its answer retires the token the client resumed with (pongHeard).
      tokenUnconfirmed = true;
      pump.send(Outbound.ping());
    }
    // At once, or (taking over a still-open connection) once it has released.
    restoring = bound.restore();
    restoring.onSuccess(subscriptions::restore);
    String text;
    while (state == State.ACTIVE && (text = held.poll()) != null) {
      dispatch(text);
    }
    held.clear();
  }

  /**
   * Puts the connection in class {@code c}: its buffer limits, sustainMs, outbound rate and
   * compression (frames written from now on, the welcome's included).
   */
  private void apply(QosClass c) {
    qos = c;
    buffer.retarget(c.buffer());
    adaptive.use(c.adaptive());
    watch.sustainMs(c.sustainMs());
    pump.rate(c.rate());
    transport.compress(c.compression());
  }

  /**
   * Moves this connection to class {@code name} from any thread (an operator's change,
   * docs/protocol.md §5); the session keeps it for its next connections. Completes with false when
   * the connection has closed or not yet been welcomed, and fails when no such class exists.
   */
  Future<Boolean> changeQos(String name) {
    QosClass c = config.qos().get(name);
    if (c == null) {
      return Future.failedFuture(new IllegalArgumentException("no QoS class " + name));
    }
    Promise<Boolean> done = Promise.promise();
    context.runOnContext(
        v -> {
          if (state != State.ACTIVE) {
            done.complete(false);
            return;
          }
          apply(c);
          binding.keepQos(c.name());
          done.complete(true);
        });
    return done.future();
  }

  /** Answers a bad message with an error; too many errors close the connection with 4004. */
  private void fail(ErrorCode code, String message, Object requestId) {
    if (errors.exceeded(services.clock().millis())) {
      close(CloseCode.PROTOCOL_VIOLATION);
      return;
    }
    pump.send(Outbound.error(code, message, requestId));
  }

  // ---------------------------------------------------------------- closing

  /** Closes with {@code code} and releases everything; idempotent. */
  void close(CloseCode code) {
    if (state == State.CLOSED) {
      return;
    }
    pump.flushReplies();
    release(code.code(), code.reason(), "server");
    services.metrics().closed(code);
    transport.close(code);
  }

  @Override
  public void onClosed(int code, String reason) {
    release(code, reason == null ? "closed " + code : "closed " + code + " " + reason, "client");
  }

  /**
   * Releases everything, once, and logs the close with who closed it, its code and reason (ids,
   * codes and counts only: never row contents).
   */
  private void release(int code, String reason, String closedBy) {
    if (state == State.CLOSED) {
      return;
    }
    LogFields.of("connection", id)
        .and("session", binding.sessionId())
        .and("clientId", binding.clientId())
        .and("remote", transport.remoteAddress())
        .and("transport", transport.kind())
        .and("code", code)
        .and("reason", reason)
        .and("closedBy", closedBy)
        .and("sent", out.sent())
        .and("dropped", buffer.droppedEvents())
        .log(LOG, Level.INFO, "connection closed");
    services.metrics().connectionClosed(transport.kind(), state == State.ACTIVE);
    state = State.CLOSED;
    liveness.stop();
    token.stop();
    if (bindTimer >= 0) {
      vertx.cancelTimer(bindTimer);
      bindTimer = -1;
    }
    held.clear();
    watch.stop();
    services.connections().qualityTicks().leave(context, quality);
    pump.stop();
    Map<String, Position> positions = subscriptions.endAll();
    buffer.clear();
    released = suspendWith(positions);
    giveBackSlot();
    // Last: whoever hears of the disconnect finds the session suspended and the slot free.
    binding.disconnected(reason);
  }

  /**
   * Suspends the session with {@code positions}. Closed while still taking the session over (a
   * resume racing this one took it in turn), it first waits for what the connection it replaced
   * hands over: those positions are the session's, and go on with these to whoever holds it now.
   */
  private Future<Void> suspendWith(Map<String, Position> positions) {
    Future<Map<String, Position>> r = restoring;
    if (r == null || r.isComplete()) {
      return binding.suspend(positions);
    }
    return r.transform(
        ar ->
            binding.suspend(
                ar.succeeded() && ar.result() != null
                    ? Positions.merge(ar.result(), positions, config.maxSubscriptions())
                    : positions));
  }

  /**
   * Closes with 1000 because the session was resumed on another connection, from any thread;
   * completes on this connection's event loop once it has released and the session store holds the
   * positions it handed over.
   */
  Future<Void> closeReplaced() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          close(CloseCode.NORMAL);
          (released == null ? Future.<Void>succeededFuture() : released).onComplete(done);
        });
    return done.future();
  }

  /** Closes with {@code code} from any thread (an operator's disconnect); completes once closed. */
  Future<Void> closeWith(CloseCode code) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          close(code);
          done.complete();
        });
    return done.future();
  }

  // ---------------------------------------------------------------- stats

  /** A description for {@code /api/connections}, read on this connection's event loop. */
  Future<ConnectionStats> describe() {
    Promise<ConnectionStats> p = Promise.promise();
    context.runOnContext(v -> p.complete(state == State.CLOSED ? null : stats()));
    return p.future();
  }

  private ConnectionStats stats() {
    long now = services.clock().millis();
    LifecycleJson.Figures f = quality.figures(now);
    boolean connecting = state == State.AWAITING_HELLO || state == State.BINDING;
    return new ConnectionStats(
        id,
        binding.sessionId(),
        binding.clientId(),
        connecting ? "connecting" : watch.state(),
        quality.current(now).wireName(),
        qos.name(),
        transport.kind(),
        subscriptions.topics(),
        buffer.pending(),
        buffer.pendingBytes(),
        buffer.fill(),
        buffer.limits().maxEvents(),
        buffer.effectiveMaxEvents(),
        f.growthPerSec(),
        f.offeredPerSec(),
        f.sentPerSec(),
        out.sent(),
        buffer.droppedEvents(),
        f.ackLagP50(),
        f.ackLagP99(),
        f.stalledMs(),
        connectedAt);
  }
}
