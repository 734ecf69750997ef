package io.slipstream.loadtest.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The publisher on several nodes over real sockets: each publish carries its own {@code
 * Idempotency-Key}; a 503 and a refused connection are sent again, same key, same body, to the next
 * node; a node that refused is passed over for a while; what every 200 acknowledged is kept seq by
 * seq; a publish refused by every attempt fails for good (docs/protocol.md §7).
 */
class PublisherRetryIT {

  private final Vertx vertx = Vertx.vertx();
  private final List<HttpServer> servers = new ArrayList<>();

  /** The one sequencer the fake nodes share: key → the answer, as a cluster dedupes by key. */
  private final Map<String, JsonObject> answers = new ConcurrentHashMap<>();

  /** Key → the bodies it came with, and the node index of each request, in order. */
  private final Map<String, List<String>> bodies = new ConcurrentHashMap<>();

  private final Map<String, List<Integer>> nodesTried = new ConcurrentHashMap<>();
  private final AtomicLong seq = new AtomicLong();
  private Publisher publisher;

  @BeforeEach
  void deploy() throws Exception {
    publisher = new Publisher();
    vertx
        .deployVerticle(publisher)
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A node answering 503 {@code code} to its first {@code refusals} requests, then 200. */
  private String node(int index, int refusals, String code) throws Exception {
    AtomicInteger refused = new AtomicInteger();
    HttpServer s =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            b -> {
                              String key = req.getHeader("Idempotency-Key");
                              bodies.computeIfAbsent(key, k -> new ArrayList<>()).add(b.toString());
                              nodesTried.computeIfAbsent(key, k -> new ArrayList<>()).add(index);
                              if (refused.getAndIncrement() < refusals) {
                                req.response()
                                    .setStatusCode(503)
                                    .end(new JsonObject().put("error", code).encode());
                                return;
                              }
                              int n = b.toString().startsWith("[") ? b.toJsonArray().size() : 1;
                              JsonObject a =
                                  answers.computeIfAbsent(
                                      key,
                                      k -> {
                                        long last = seq.addAndGet(n);
                                        return new JsonObject()
                                            .put("epoch", "e1")
                                            .put("firstSeq", last - n + 1)
                                            .put("lastSeq", last);
                                      });
                              req.response().end(a.encode());
                            }))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    servers.add(s);
    return "http://127.0.0.1:" + s.actualPort() + "/api/topics/t/changes";
  }

  private static String deadNode() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return "http://127.0.0.1:" + s.getLocalPort() + "/api/topics/t/changes";
    }
  }

  private PublishReport publish(List<String> urls, int attempts, long changes) throws Exception {
    PublishPlan plan =
        new PublishPlan(
                urls.get(0),
                Map.of(),
                200,
                10_000,
                changes,
                1,
                new ChangeBodies("UPDATE", 64, 10, 0, 1 << 20, 1),
                true,
                true)
            .onNodes(urls, attempts, 2_000);
    return publisher.run(plan).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aRefusedPublishIsSentAgainToTheNextNodeWithItsKeyAndBody() throws Exception {
    String a = node(0, 1, "indeterminate");
    String b = node(2, 0, null);
    String dead = deadNode();
    PublishReport p = publish(List.of(a, dead, b), 5, 12);

    assertThat(p.failedRequests()).as(p.firstError()).isZero();
    assertThat(p.accepted()).isEqualTo(12);
    assertThat(p.lastSeq()).isEqualTo(12);
    assertThat(p.retryReasons()).containsEntry("503 indeterminate", 1L);
    assertThat(p.retryReasons().keySet()).anyMatch(k -> k.startsWith("I/O: "));
    // The dead node is passed over once it refused: one I/O retry, not one per round.
    assertThat(p.retries()).isEqualTo(2);
    assertThat(answers).hasSize(12); // one key per publish
    assertThat(bodies.values()).allSatisfy(list -> assertThat(list).containsOnly(list.get(0)));
    String first =
        nodesTried.entrySet().stream()
            .filter(e -> e.getValue().size() > 1)
            .map(Map.Entry::getKey)
            .findFirst()
            .orElseThrow();
    // The 503 went on to the dead node (refused: no request arrived), then to the last one.
    assertThat(nodesTried.get(first)).containsExactly(0, 2);
    // Each row names the node its publish was first sent to.
    assertThat(new JsonObject(bodies.get(first).get(0)).getJsonObject("row").getInteger("n"))
        .isZero();
    // What was acknowledged, seq by seq: v 1..12 at seqs 1..12.
    assertThat(p.acked().total()).isEqualTo(12);
    assertThat(p.acked().runs()).hasSize(1);
    assertThat(p.publishLatency().getTotalCount()).isEqualTo(12);
    assertThat(p.epochChanges()).isZero();
  }

  @Test
  void aPublishRefusedByEveryAttemptFailsForGood() throws Exception {
    String a = node(0, Integer.MAX_VALUE, "no-quorum");
    PublishReport p = publish(List.of(a), 3, 2);
    assertThat(p.failedRequests()).isEqualTo(2);
    assertThat(p.failedChanges()).isEqualTo(2);
    assertThat(p.accepted()).isZero();
    assertThat(p.retryReasons()).containsEntry("503 no-quorum", 4L);
    assertThat(bodies.values()).allSatisfy(list -> assertThat(list).hasSize(3));
    assertThat(p.firstError()).contains("503", "no-quorum");
  }
}
