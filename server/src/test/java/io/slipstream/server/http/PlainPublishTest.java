package io.slipstream.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

/**
 * {@link ProducerApi#plainPublish}: which requests skip the router. Every one it takes must be one
 * whose answer the router would give the same way (the path needs no normalizing or decoding, the
 * body's length is known and within the bound); a request it wrongly took would get what the
 * router does differently (413, 404, a decoded topic) wrong.
 */
class PlainPublishTest {

  private static final long MAX = 1000;

  private static MultiMap headers(String... kv) {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i + 1 < kv.length; i += 2) {
      m.add(kv[i], kv[i + 1]);
    }
    return m;
  }

  private static String take(HttpMethod method, String path, String... kv) {
    return ProducerApi.plainPublish(method, path, headers(kv), MAX);
  }

  @Test
  void aPlainPublishIsTakenWithItsTopic() {
    assertThat(take(HttpMethod.POST, "/api/topics/orders/changes", "Content-Length", "12"))
        .isEqualTo("orders");
    assertThat(take(HttpMethod.POST, "/api/topics/a.b-c_9/changes", "content-length", "1000"))
        .isEqualTo("a.b-c_9");
    assertThat(take(HttpMethod.POST, "/api/topics/t/changes", "Content-Length", "0"))
        .as("an empty body: the shared code answers bad-json")
        .isEqualTo("t");
  }

  @Test
  void otherMethodsAndPathsGoToTheRouter() {
    assertThat(take(HttpMethod.PUT, "/api/topics/t/changes", "Content-Length", "2")).isNull();
    assertThat(take(HttpMethod.GET, "/api/topics/t/changes", "Content-Length", "2")).isNull();
    for (String path :
        new String[] {
          "/api/topics//changes",
          "/api/topics/changes",
          "/api/topics/a/b/changes",
          "/api/topics/a%2Eb/changes",
          "/api/topics/../changes",
          "/api/topics/./changes",
          "/api/topics/t/changes/",
          "//api/topics/t/changes",
          "/api/topics/t/Changes",
          "/api/topics/" + "x".repeat(129) + "/changes",
          "/API/topics/t/changes"
        }) {
      assertThat(take(HttpMethod.POST, path, "Content-Length", "2")).as(path).isNull();
    }
  }

  @Test
  void bodiesOfUnknownOrTooLargeLengthGoToTheRouter() {
    String p = "/api/topics/t/changes";
    assertThat(take(HttpMethod.POST, p)).as("no length (chunked)").isNull();
    assertThat(take(HttpMethod.POST, p, "Content-Length", "1001")).as("over the bound: 413").isNull();
    assertThat(take(HttpMethod.POST, p, "Content-Length", "-1")).isNull();
    assertThat(take(HttpMethod.POST, p, "Content-Length", "1e3")).isNull();
    assertThat(take(HttpMethod.POST, p, "Content-Length", "")).isNull();
    assertThat(take(HttpMethod.POST, p, "Content-Length", "99999999999999999999")).isNull();
    assertThat(take(HttpMethod.POST, p, "Content-Length", "5", "Content-Length", "5")).isNull();
    assertThat(take(HttpMethod.POST, p, "Content-Length", "5", "Transfer-Encoding", "chunked"))
        .isNull();
    assertThat(take(HttpMethod.POST, p, "Content-Length", "5", "Expect", "100-continue"))
        .isNull();
  }
}
