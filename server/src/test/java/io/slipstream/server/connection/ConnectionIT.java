package io.slipstream.server.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.eventbus.Lifecycle;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The connection's protocol rules over a real socket: hello, heartbeats, bad input, limits, auth
 * (docs/protocol.md §3, §8, §9; guarantees 7 and 8).
 */
class ConnectionIT {

  private TestServer server;
  private final Vertx clients = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

  private TestServer start(SlipstreamConfig.Builder b) {
    server = TestServer.start(b.eventLoops(2).build());
    return server;
  }

  private TestServer start() {
    return start(SlipstreamConfig.defaults().toBuilder());
  }

  @AfterEach
  void stop() {
    clients.close().await();
    if (server != null) {
      server.close();
    }
  }

  @Test
  void noHelloInTimeClosesWith4004() {
    start(SlipstreamConfig.defaults().toBuilder().helloTimeoutMs(300));
    RecordingClient c = RecordingClient.connect(clients, server.port());
    assertThat(c.awaitClose(Duration.ofSeconds(10))).isEqualTo(4004);
  }

  @Test
  void aMessageBeforeHelloIsAnErrorAndTheConnectionStays() {
    start();
    RecordingClient c = RecordingClient.connect(clients, server.port());
    c.send(new JsonObject().put("type", "subscribe").put("topic", "t").put("id", 7));
    assertThat(c.assertError("hello-required").getInteger("id")).isEqualTo(7);
    c.hello();
    c.send(new JsonObject().put("type", "ping").put("id", "p1"));
    assertThat(c.expect("pong").getString("id")).isEqualTo("p1");
  }

  @Test
  void welcomeDescribesTheSessionAndBuffer() {
    start();
    RecordingClient c = RecordingClient.connect(clients, server.port());
    JsonObject welcome = c.hello();
    assertThat(welcome.getString("session")).isNotBlank();
    assertThat(welcome.getString("resume")).hasSizeGreaterThanOrEqualTo(22);
    assertThat(welcome.getBoolean("resumed")).isFalse();
    assertThat(welcome.getLong("heartbeatMs")).isEqualTo(15_000L);
    JsonObject buffer = welcome.getJsonObject("buffer");
    assertThat(buffer.getInteger("max")).isEqualTo(16_600);
    assertThat(buffer.getDouble("warn")).isEqualTo(0.8);
    assertThat(buffer.getDouble("disconnect")).isEqualTo(0.95);
    assertThat(buffer.getString("policy")).isEqualTo("drop-oldest");
  }

  @Test
  void aSilentPeerIsClosedWith4008AfterTheHeartbeatTimeout() throws Exception {
    start(SlipstreamConfig.defaults().toBuilder().heartbeatMs(100).heartbeatTimeoutMs(600));
    LinkedBlockingQueue<JsonObject> events = lifecycle();
    RecordingClient c = RecordingClient.connect(clients, server.port());
    c.hello();
    awaitEvent(events, "connected");
    long start = System.nanoTime();
    // A paused client reads nothing, so it never answers the server's pings.
    c.pause();
    JsonObject gone = awaitEvent(events, "disconnected");
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(gone.getString("reason")).contains("heartbeat");
    assertThat(elapsedMs).isBetween(500L, 5_000L);
    c.resume();
    assertThat(c.awaitClose(Duration.ofSeconds(10))).isEqualTo(4008);
  }

  @Test
  void aLivePeerIsKeptAliveByItsPongs() throws Exception {
    start(SlipstreamConfig.defaults().toBuilder().heartbeatMs(100).heartbeatTimeoutMs(400));
    RecordingClient c = RecordingClient.connect(clients, server.port());
    c.hello();
    // Vert.x's client answers pings by itself; for 6 timeouts' worth the socket must stay open.
    assertThat(c.poll(2_400)).isNull();
    assertThat(c.isClosed()).isFalse();
  }

  @Test
  void aThousandMalformedFramesEachGetTheirErrorAndKeepTheConnection() {
    start();
    List<String[]> cases = malformedCases();
    List<RecordingClient> all = new ArrayList<>();
    for (int conn = 0; conn < 50; conn++) {
      RecordingClient c = RecordingClient.connect(clients, server.port());
      all.add(c);
      c.hello();
      // 20 errors per connection: the most allowed in 10 s without a close.
      for (int i = 0; i < 20; i++) {
        String[] bad = cases.get((conn + i) % cases.size());
        if (bad[0] == null) {
          c.sendBinary(Buffer.buffer(new byte[] {1, 2, 3}));
        } else {
          c.send(bad[0]);
        }
        assertThat(c.assertError(bad[1]).getString("message")).isNotBlank();
      }
    }
    for (RecordingClient c : all) {
      assertThat(c.subscribe("still-works").getString("mode")).isEqualTo("snapshot");
      assertThat(c.isClosed()).isFalse();
    }
    assertThat(server.request("GET", "/health", null).statusCode()).isEqualTo(200);
    assertThat(server.server().connections().size()).isEqualTo(50);
    all.forEach(RecordingClient::close);
  }

  @Test
  void theTwentyFirstErrorInTenSecondsClosesWith4004() {
    start();
    RecordingClient c = RecordingClient.connect(clients, server.port());
    c.hello();
    for (int i = 0; i < 21; i++) {
      c.send("{nope");
    }
    assertThat(c.awaitClose(Duration.ofSeconds(10))).isEqualTo(4004);
  }

  @Test
  void aFrameOverMaxFrameBytesClosesWith1009() {
    start(SlipstreamConfig.defaults().toBuilder().maxFrameBytes(1024));
    RecordingClient c = RecordingClient.connect(clients, server.port());
    c.hello();
    c.send(new JsonObject().put("type", "ping").put("pad", "x".repeat(2048)));
    assertThat(c.awaitClose(Duration.ofSeconds(10))).isEqualTo(1009);
  }

  @Test
  void sendingFasterThanTheRateLimitForSustainMsClosesWith4029() {
    start(SlipstreamConfig.defaults().toBuilder().rateLimit(5).rateBurst(5).sustainMs(300));
    RecordingClient c = RecordingClient.connect(clients, server.port());
    c.hello();
    boolean limited = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!c.isClosed() && System.nanoTime() < deadline) {
      try {
        c.send("{\"type\":\"ping\"}");
      } catch (RuntimeException closedMeanwhile) {
        break;
      }
      JsonObject m;
      try {
        while ((m = c.poll(1)) != null) {
          limited |= "rate-limited".equals(m.getString("code"));
        }
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    assertThat(c.awaitClose(Duration.ofSeconds(10))).isEqualTo(4029);
    assertThat(limited).isTrue();
  }

  @Test
  void withAJwtSecretHelloNeedsAValidToken() throws Exception {
    String secret = "s3cret";
    start(SlipstreamConfig.defaults().toBuilder().jwtSecret(secret));
    RecordingClient none = RecordingClient.connect(clients, server.port());
    none.send("{\"type\":\"hello\"}");
    none.assertError("unauthorized");
    assertThat(none.awaitClose(Duration.ofSeconds(10))).isEqualTo(4003);

    RecordingClient forged = RecordingClient.connect(clients, server.port());
    forged.send(new JsonObject().put("type", "hello").put("token", jwt("other", 4_000_000_000L)));
    assertThat(forged.awaitClose(Duration.ofSeconds(10))).isEqualTo(4003);

    RecordingClient expired = RecordingClient.connect(clients, server.port());
    expired.send(new JsonObject().put("type", "hello").put("token", jwt(secret, 1_000L)));
    assertThat(expired.awaitClose(Duration.ofSeconds(10))).isEqualTo(4003);

    RecordingClient ok = RecordingClient.connect(clients, server.port());
    ok.send(new JsonObject().put("type", "hello").put("token", jwt(secret, 4_000_000_000L)));
    ok.expect("welcome");
  }

  static String jwt(String secret, long exp) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String claims = b64.encodeToString(("{\"sub\":\"u\",\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String sig = b64.encodeToString(mac.doFinal((header + "." + claims).getBytes(StandardCharsets.US_ASCII)));
    return header + "." + claims + "." + sig;
  }

  /** Frames and the error code each must get; a null frame means a binary frame. */
  private static List<String[]> malformedCases() {
    List<String[]> c = new ArrayList<>();
    c.add(new String[] {"{not json", "bad-json"});
    c.add(new String[] {"[1,2]", "bad-json"});
    c.add(new String[] {"\"hello\"", "bad-json"});
    c.add(new String[] {"{}", "bad-message"});
    c.add(new String[] {"{\"type\":5}", "bad-message"});
    c.add(new String[] {"{\"type\":\"explode\"}", "unknown-type"});
    c.add(new String[] {"{\"type\":\"subscribe\"}", "bad-topic"});
    c.add(new String[] {"{\"type\":\"subscribe\",\"topic\":\"has space\"}", "bad-topic"});
    c.add(new String[] {"{\"type\":\"subscribe\",\"topic\":\"" + "t".repeat(129) + "\"}", "bad-topic"});
    c.add(new String[] {"{\"type\":\"subscribe\",\"topic\":\"t\",\"from\":{\"epoch\":1,\"seq\":1}}", "bad-position"});
    c.add(new String[] {"{\"type\":\"subscribe\",\"topic\":\"t\",\"from\":{\"epoch\":\"e\",\"seq\":-1}}", "bad-position"});
    c.add(new String[] {"{\"type\":\"ack\",\"topic\":\"t\",\"seq\":\"x\"}", "bad-message"});
    c.add(new String[] {"{\"type\":\"ack\",\"topic\":\"nosub\",\"seq\":3}", "not-subscribed"});
    c.add(new String[] {"{\"type\":\"unsubscribe\",\"topic\":\"nosub\"}", "not-subscribed"});
    c.add(new String[] {"{\"type\":\"hello\"}", "already-hello"});
    c.add(new String[] {"{\"type\":\"ping\",\"id\":{\"a\":1}}", "bad-message"});
    c.add(new String[] {null, "binary-not-supported"});
    return c;
  }

  private LinkedBlockingQueue<JsonObject> lifecycle() {
    LinkedBlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
    server.vertx().eventBus().<JsonObject>consumer(Lifecycle.ADDRESS, m -> events.add(m.body()))
        .completion().await();
    return events;
  }

  private static JsonObject awaitEvent(LinkedBlockingQueue<JsonObject> events, String name)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      JsonObject e = events.poll(100, TimeUnit.MILLISECONDS);
      if (e != null && name.equals(e.getString("event"))) {
        return e;
      }
    }
    throw new AssertionError("no lifecycle event " + name);
  }
}
