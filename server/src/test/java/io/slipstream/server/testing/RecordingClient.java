package io.slipstream.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * A real WebSocket client over loopback that queues every server message so a test can assert
 * them in order, as OkHttp's WebSocket recorder does.
 *
 * <p>Thread-safe: messages arrive on a Vert.x event loop, the test reads from its own thread.
 */
public final class RecordingClient implements AutoCloseable {

  /** How long {@link #next()} waits for a message. */
  public static final Duration WAIT = Duration.ofSeconds(20);

  private final WebSocketClient client;
  private final WebSocket ws;
  private final LinkedBlockingQueue<JsonObject> messages = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final java.util.concurrent.atomic.AtomicInteger arrayFrames = new java.util.concurrent.atomic.AtomicInteger();

  /** Whether a server {@code ping} message is answered at once instead of recorded. */
  private volatile boolean answerPings = true;
  private final java.util.concurrent.atomic.AtomicInteger pingsAnswered =
      new java.util.concurrent.atomic.AtomicInteger();

  private RecordingClient(WebSocketClient client, WebSocket ws) {
    this.client = client;
    this.ws = ws;
  }

  /** Connects to {@code /ws} on {@code port}. */
  public static RecordingClient connect(Vertx vertx, int port) {
    return connect(vertx, port, 0);
  }

  /**
   * Connects to {@code /ws} on {@code port} with a socket receive buffer of {@code receiveBytes}
   * (0: the kernel's, which may grow to tens of MB on loopback): a small one makes a paused client
   * push back on the server after that much instead.
   */
  public static RecordingClient connect(Vertx vertx, int port, int receiveBytes) {
    WebSocketClientOptions options =
        new WebSocketClientOptions().setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20);
    if (receiveBytes > 0) {
      options.setReceiveBufferSize(receiveBytes);
    }
    WebSocketClient client = vertx.createWebSocketClient(options);
    WebSocket ws =
        client
            .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws"))
            .await();
    RecordingClient rc = new RecordingClient(client, ws);
    ws.textMessageHandler(
        t -> {
          if (t.startsWith("[")) {
            rc.arrayFrames.incrementAndGet();
            for (Object o : new io.vertx.core.json.JsonArray(t)) {
              rc.received((JsonObject) o);
            }
          } else {
            rc.received(new JsonObject(t));
          }
        });
    ws.closeHandler(
        v -> {
          Short code = null;
          try {
            code = ws.closeStatusCode();
          } catch (NullPointerException e) {
            // vertx5.md §10.1
          }
          rc.closed.complete(code == null ? 1006 : (int) code);
        });
    return rc;
  }

  /** Records {@code m}, or answers it when it is the server's {@code ping}. */
  private void received(JsonObject m) {
    if (answerPings && "ping".equals(m.getString("type"))) {
      // As every client does: the server's ping (after a resume's welcome, §7) wants a pong.
      ws.writeTextMessage("{\"type\":\"pong\"}");
      pingsAnswered.incrementAndGet();
      return;
    }
    messages.add(m);
  }

  /** Sends one text frame. */
  public RecordingClient send(String text) {
    ws.writeTextMessage(text).await();
    return this;
  }

  /** Sends one binary frame (not part of the protocol). */
  public RecordingClient sendBinary(io.vertx.core.buffer.Buffer data) {
    ws.writeBinaryMessage(data).await();
    return this;
  }

  /** Sends one JSON message. */
  public RecordingClient send(JsonObject message) {
    return send(message.encode());
  }

  /** Sends {@code hello} and returns {@code welcome}. */
  public JsonObject hello() {
    send(new JsonObject().put("type", "hello").put("clientId", "test"));
    return expect("welcome");
  }

  /**
   * Records server {@code ping} messages like any other instead of answering them with {@code
   * pong} (which retires the token a resume was made with, docs/protocol.md §7).
   */
  public RecordingClient recordPings() {
    answerPings = false;
    return this;
  }

  /** How many server {@code ping} messages this client answered. */
  public int pingsAnswered() {
    return pingsAnswered.get();
  }

  /**
   * Returns once the server has heard this client answer the {@code ping} message that follows a
   * resume's {@code welcome}, which retires the token it resumed with (docs/protocol.md §7): two
   * {@code ping} round trips, since only the second is sure to be sent after that answer (the
   * client answers the server's ping when it arrives, which may be after the first was sent).
   * The next two messages must be the pongs.
   */
  public void confirmWelcome() {
    for (int i = 1; i <= 2; i++) {
      send(new JsonObject().put("type", "ping").put("id", "confirm-" + i));
      assertThat(expect("pong").getString("id")).isEqualTo("confirm-" + i);
    }
  }

  /** Sends {@code subscribe} and returns {@code subscribed}. */
  public JsonObject subscribe(String topic) {
    send(new JsonObject().put("type", "subscribe").put("topic", topic));
    return expect("subscribed");
  }

  /** The next message, waiting up to {@link #WAIT}. */
  public JsonObject next() {
    try {
      JsonObject m = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (m == null) {
        fail("no message within " + WAIT);
      }
      return m;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The next message, or null when none arrives within {@code ms}. */
  public JsonObject poll(long ms) throws InterruptedException {
    return messages.poll(ms, TimeUnit.MILLISECONDS);
  }

  /** The next message, which must be of {@code type}. */
  public JsonObject expect(String type) {
    JsonObject m = next();
    assertThat(m.getString("type")).as("message %s", m).isEqualTo(type);
    return m;
  }

  /** The next message must be the change {@code seq} of {@code topic}. */
  public JsonObject assertChange(String topic, long seq) {
    JsonObject m = expect("change");
    assertThat(m.getString("topic")).isEqualTo(topic);
    assertThat(m.getLong("seq")).as("seq of %s", m).isEqualTo(seq);
    return m;
  }

  /** The next message must be an {@code error} with {@code code}. */
  public JsonObject assertError(String code) {
    JsonObject m = expect("error");
    assertThat(m.getString("code")).as("error %s", m).isEqualTo(code);
    return m;
  }

  /** No message is waiting. */
  public void assertExhausted() {
    assertThat(messages).as("unexpected messages").isEmpty();
  }

  /** Stops reading from the socket, so TCP backpressure reaches the server. */
  public void pause() {
    ws.pause();
  }

  /**
   * Reads slowly: at most {@code messages} every {@code everyMs}, like a client on a thin link,
   * until the socket closes.
   */
  public void readSlowly(Vertx vertx, int messages, long everyMs) {
    ws.pause();
    vertx.setPeriodic(
        everyMs,
        id -> {
          if (closed.isDone()) {
            vertx.cancelTimer(id);
          } else {
            ws.fetch(messages);
          }
        });
  }

  /**
   * Resumes reading and hands every message to {@code accept} until, for each topic of {@code
   * lastSeq}, {@code next} (the next seq the caller must account for) is past its last published
   * seq; fails after 30 s.
   */
  public void readUntil(
      Map<String, Long> lastSeq, ToLongFunction<String> next, Consumer<JsonObject> accept)
      throws InterruptedException {
    resume();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (lastSeq.entrySet().stream()
        .anyMatch(e -> next.applyAsLong(e.getKey()) <= e.getValue())) {
      assertThat(System.nanoTime()).as("everything arrives in time").isLessThan(deadline);
      JsonObject m = poll(1_000);
      if (m != null) {
        accept.accept(m);
      }
    }
  }

  /** Resumes reading. */
  public void resume() {
    ws.resume();
  }

  /** The close code the server sent, waiting up to {@code timeout}. */
  public int awaitClose(Duration timeout) {
    try {
      return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("socket not closed within " + timeout, e);
    }
  }

  /** How many frames held a JSON array of messages (only for {@code batch: true}). */
  public int arrayFrames() {
    return arrayFrames.get();
  }

  /** Whether the socket has closed. */
  public boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public void close() {
    if (!ws.isClosed()) {
      ws.close();
    }
    client.close();
  }
}
