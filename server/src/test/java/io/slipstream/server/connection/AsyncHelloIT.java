package io.slipstream.server.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.time.Clock;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.RecordingLifecycle;
import io.slipstream.server.testing.StallingSessionStore;
import io.slipstream.server.testing.StallingSessionStore.PendingOpen;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The hello path with a session store that answers later, as a clustered one does: the welcome
 * waits for the store, what the client sends meanwhile is held (bounded) and answered after the
 * welcome in order, a store that fails or does not answer within {@code helloTimeoutMs} closes
 * the connection with 1012 (reconnect, maybe elsewhere, and resume), a connection that ends before
 * the answer still suspends its session, and a resume whose old connection is on a node that
 * cannot be reached restores what the session recorded.
 */
class AsyncHelloIT {

  private TestServer server;
  private RecordingLifecycle events;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private StallingSessionStore start(String node, long helloTimeoutMs) {
    StallingSessionStore store = new StallingSessionStore(60_000, node);
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .eventLoops(2)
                .helloTimeoutMs(helloTimeoutMs)
                .build(),
            Clock.system(),
            store,
            RemoteConnections.UNREACHABLE);
    events = RecordingLifecycle.on(server);
    return store;
  }

  private static JsonObject ping(int id) {
    return new JsonObject().put("type", "ping").put("id", id);
  }

  @Test
  void messagesSentBeforeTheWelcomeAreAnsweredAfterItInOrder() {
    StallingSessionStore store = start("local", 10_000);
    RecordingClient c = server.client();
    c.send(new JsonObject().put("type", "hello"));
    c.send(ping(1));
    c.send(new JsonObject().put("type", "subscribe").put("topic", "t").put("id", 2));
    c.send(ping(3));
    PendingOpen open = store.nextOpen();
    // Round-trip a second client, so the first one's messages have reached the server by now.
    RecordingClient other = server.client();
    other.send(new JsonObject().put("type", "hello"));
    store.nextOpen().release();
    other.expect("welcome");
    c.assertExhausted();

    open.release();
    assertThat(c.expect("welcome").getBoolean("resumed")).isFalse();
    assertThat(c.expect("pong").getInteger("id")).isEqualTo(1);
    assertThat(c.expect("subscribed").getInteger("id")).isEqualTo(2);
    assertThat(c.expect("snapshot").getString("phase")).isEqualTo("begin");
    assertThat(c.expect("snapshot").getString("phase")).isEqualTo("end");
    assertThat(c.expect("pong").getInteger("id")).isEqualTo(3);
  }

  @Test
  void beyondTheBoundMessagesBeforeTheWelcomeAreRefusedAtOnce() {
    StallingSessionStore store = start("local", 10_000);
    RecordingClient c = server.client();
    c.send(new JsonObject().put("type", "hello"));
    PendingOpen open = store.nextOpen();
    for (int i = 0; i <= HeldMessages.MAX_MESSAGES; i++) {
      c.send(ping(i));
    }
    JsonObject refused = c.assertError("rate-limited");
    assertThat(refused.getInteger("id")).isEqualTo(HeldMessages.MAX_MESSAGES);

    open.release();
    c.expect("welcome");
    for (int i = 0; i < HeldMessages.MAX_MESSAGES; i++) {
      assertThat(c.expect("pong").getInteger("id")).isEqualTo(i);
    }
  }

  @Test
  void aStoreThatFailsClosesWith1012() {
    StallingSessionStore store = start("local", 10_000);
    RecordingClient c = server.client();
    c.send(new JsonObject().put("type", "hello"));
    c.send(ping(1));
    store.nextOpen().fail();
    assertThat(c.awaitClose(Duration.ofSeconds(10))).isEqualTo(1012);
    c.assertExhausted();
  }

  @Test
  void aStoreThatDoesNotAnswerWithinHelloTimeoutClosesWith1012() {
    StallingSessionStore store = start("local", 300);
    RecordingClient c = server.client();
    c.send(new JsonObject().put("type", "hello"));
    PendingOpen never = store.nextOpen();
    assertThat(c.awaitClose(Duration.ofSeconds(10))).isEqualTo(1012);
    // Answering after the close suspends the session the store attached to the closed connection.
    never.release();
    RecordingClient again = server.client();
    store.stopStalling();
    again.send(new JsonObject().put("type", "hello").put("resume", never.answer().token()));
    JsonObject w = again.expect("welcome");
    assertThat(w.getBoolean("resumed")).isTrue();
    again.assertExhausted();
  }

  @Test
  void aConnectionThatEndsBeforeTheAnswerSuspendsItsSessionWithTheHelloPositions() {
    StallingSessionStore store = start("local", 10_000);
    server.publish(
        "t", new JsonObject().put("op", "UPDATE").put("key", "k").put("row", new JsonObject()));
    String epoch = server.rows("t").getString("epoch");
    RecordingClient c = server.client();
    c.send(
        new JsonObject()
            .put("type", "hello")
            .put("positions",
                new JsonObject().put("t", new JsonObject().put("epoch", epoch).put("seq", 1))));
    PendingOpen open = store.nextOpen();
    c.close();
    awaitNoConnections();
    open.release();
    // Published once the late answer has suspended the session.
    events.await("disconnected", open.answer().session());

    store.stopStalling();
    RecordingClient back = server.client();
    back.send(new JsonObject().put("type", "hello").put("resume", open.answer().token()));
    assertThat(back.expect("welcome").getBoolean("resumed")).isTrue();
    JsonObject sub = back.expect("subscribed");
    assertThat(sub.getString("topic")).isEqualTo("t");
    assertThat(sub.getString("mode")).isEqualTo("replay");
    assertThat(sub.getLong("seq")).isEqualTo(1);
  }

  @Test
  void aResumeWhoseOldConnectionIsOnAnUnreachableNodeRestoresWhatTheSessionRecorded() {
    StallingSessionStore store = start("this-node", 10_000);
    store.stopStalling();
    server.publish(
        "t", new JsonObject().put("op", "UPDATE").put("key", "k").put("row", new JsonObject()));
    String epoch = server.rows("t").getString("epoch");
    RecordingClient first = server.client();
    first.send(
        new JsonObject()
            .put("type", "hello")
            .put("positions",
                new JsonObject().put("t", new JsonObject().put("epoch", epoch).put("seq", 1))));
    JsonObject w1 = first.expect("welcome");
    first.expect("subscribed");
    first.close();
    events.await("disconnected", w1.getString("session"));

    // The session recorded t@1. Its next connection stays open, on what the store calls another
    // node: the server cannot reach it, as when that node has died.
    RecordingClient second = server.client();
    second.send(new JsonObject().put("type", "hello").put("resume", w1.getString("resume")));
    JsonObject w2 = second.expect("welcome");
    second.expect("subscribed");

    RecordingClient third = server.client();
    third.send(new JsonObject().put("type", "hello").put("resume", w2.getString("resume")));
    assertThat(third.expect("welcome").getBoolean("resumed")).isTrue();
    JsonObject sub = third.expect("subscribed");
    assertThat(sub.getString("topic")).isEqualTo("t");
    assertThat(sub.getString("mode")).isEqualTo("replay");
    assertThat(sub.getLong("seq")).isEqualTo(1);
    assertThat(second.isClosed()).as("nobody reached the other node's connection").isFalse();
  }

  /**
   * Regression: the store rotated the token when the resume was applied, not when its welcome went
   * out, so a client that gave up on a slow hello (a node failing over, a 1012) came back with the
   * only token it had and got a fresh session: 3 of 7 clients of a killed node lost theirs in the
   * cluster failover run.
   */
  @Test
  void aResumeWhoseWelcomeNeverWentOutLeavesTheTokenWorkingUntilOneDoes() {
    StallingSessionStore store = start("local", 10_000);
    RecordingClient first = server.client();
    first.send(new JsonObject().put("type", "hello"));
    store.nextOpen().release();
    JsonObject w1 = first.expect("welcome");
    first.close();
    events.await("disconnected", w1.getString("session"));

    RecordingClient gaveUp = server.client();
    gaveUp.send(new JsonObject().put("type", "hello").put("resume", w1.getString("resume")));
    PendingOpen late = store.nextOpen();
    gaveUp.close();
    awaitNoConnections();
    late.release();
    events.await("disconnected", w1.getString("session"));

    store.stopStalling();
    RecordingClient back = server.client();
    back.send(new JsonObject().put("type", "hello").put("resume", w1.getString("resume")));
    JsonObject w3 = back.expect("welcome");
    assertThat(w3.getBoolean("resumed")).as("the token the client had still resumes").isTrue();
    assertThat(w3.getString("session")).isEqualTo(w1.getString("session"));
    back.confirmWelcome();

    RecordingClient replay = server.client();
    replay.send(new JsonObject().put("type", "hello").put("resume", w1.getString("resume")));
    assertThat(replay.expect("welcome").getBoolean("resumed"))
        .as("once the client has the welcome with its successor, the old token is retired")
        .isFalse();
    assertThat(back.isClosed()).isFalse();
  }

  /**
   * Regression: a resume that took the session over from a connection which was itself still
   * taking it over (its predecessor had not yet handed its positions over) got none of them. The
   * middle one, closed, handed over the nothing it had restored so far, and its predecessor's
   * positions came after the new holder had taken what there was (ResumeWhileOpenIT's two resumes
   * racing with one token timed out waiting for subscribed). Guarantee 5: nothing of the session is
   * lost across resumes.
   */
  @Test
  void aResumeTakingOverAConnectionThatIsStillTakingOverGetsTheSessionsSubscriptions() {
    StallingSessionStore store = start("local", 10_000);
    store.stopStalling();
    server.publish(
        "t", new JsonObject().put("op", "UPDATE").put("key", "k").put("row", new JsonObject()));
    RecordingClient first = server.client();
    JsonObject w1 = first.hello();
    first.subscribe("t");
    JsonObject resume = new JsonObject().put("type", "hello").put("resume", w1.getString("resume"));

    // The first connection's hand-over waits in the store, and with it the middle one's restore.
    CompletableFuture<Void> handOver = store.stallNextSuspend();
    RecordingClient middle = server.client().recordPings(); // its token stays usable (§7)
    middle.send(resume);
    assertThat(middle.expect("welcome").getBoolean("resumed")).isTrue();
    RecordingClient last = server.client();
    last.send(resume);
    assertThat(last.expect("welcome").getBoolean("resumed")).isTrue();
    assertThat(middle.awaitClose(Duration.ofSeconds(10))).isEqualTo(1000);
    handOver.complete(null);

    JsonObject sub = last.expect("subscribed");
    assertThat(sub.getString("topic")).isEqualTo("t");
    assertThat(first.awaitClose(Duration.ofSeconds(10))).isEqualTo(1000);
  }

  /**
   * Waits until the server has seen a socket close that no lifecycle event reports (the session
   * store has not answered its hello yet, so there is no session to report).
   */
  private void awaitNoConnections() {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (server.server().connections().size() != 0) {
      assertThat(System.nanoTime()).as("connection released within 20 s").isLessThan(deadline);
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
