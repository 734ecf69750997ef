package io.slipstream.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.slipstream.server.config.AccessConfig;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.JwtTokens;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * In-band token refresh by the client package in Node against this server (issue 11): the server
 * verifies RS256 tokens with no leeway, and a token endpoint run by this test hands out tokens that
 * expire {@link #LIFETIME_SECONDS} s from now (whole seconds, so 4 to 5 s). {@code
 * client/test/live/refresh.mjs} connects with a token function calling that endpoint, publishes a
 * change after every {@code authed}, and ends once two refreshes were accepted and the first
 * token's expiry is 1.5 s past. Before the client sent {@code auth}, the server closed the
 * connection with 4003 at the first token's expiry and the client reconnected; here it must still
 * be on its first connection, its table equal to {@code GET rows}. The script asserts; this test
 * starts the server and the endpoint, runs {@code node}, and checks the summary.
 *
 * <p>Runs in about 10 s. Needs {@code node} as {@link NodeClientIT} does ({@link NodeScript}).
 */
class NodeTokenRefreshIT {

  /** A token's {@code exp}, in seconds from the moment it is issued (rounded down). */
  private static final int LIFETIME_SECONDS = 5;

  private TestServer server;
  private HttpServer tokens;
  private NodeScript node;
  private final AtomicInteger issued = new AtomicInteger();

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    if (tokens != null) {
      tokens.stop(0);
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theConnectionOutlivesItsFirstTokenWithoutReconnecting() throws Exception {
    NodeScript.requireNode();
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .eventLoops(1)
                .access(
                    AccessConfig.DEFAULTS.withJwtPublicKey(JwtTokens.RSA_PEM).withJwtLeewayMs(0))
                .build());
    tokens = tokenEndpoint();
    String url = "http://127.0.0.1:" + tokens.getAddress().getPort() + "/token";
    node = NodeScript.start("test/live/refresh.mjs", server.port(), url, "refresh");
    int exit = node.awaitExit(Duration.ofSeconds(40));
    assertThat(exit).as("node's exit code:\n%s", node.output()).isZero();

    JsonObject summary = node.lastLine();
    assertThat(summary.getInteger("connects")).as("%s", summary).isEqualTo(1);
    assertThat(summary.getInteger("refreshes")).as("%s", summary).isGreaterThanOrEqualTo(2);
    assertThat(summary.getLong("pastFirstExpiryMs")).isGreaterThanOrEqualTo(1_500);
    // The hello's token and one per refresh, all from the endpoint.
    assertThat(issued.get()).isEqualTo(summary.getInteger("tokens"));
    assertThat(issued.get()).isGreaterThanOrEqualTo(1 + summary.getInteger("refreshes"));
    JsonObject rows = server.rows("refresh");
    assertThat(rows.getLong("seq")).isEqualTo(summary.getLong("seq"));
    assertThat(rows.getJsonArray("rows").size()).isEqualTo(summary.getInteger("rows"));
  }

  /** {@code GET /token}: a fresh RS256 token for the one subject, living about 5 s. */
  private HttpServer tokenEndpoint() throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext(
        "/token",
        exchange -> {
          issued.incrementAndGet();
          JsonObject claims =
              new JsonObject()
                  .put("sub", "node-client")
                  .put("exp", JwtTokens.in(LIFETIME_SECONDS))
                  .put("topics", new JsonArray().add("refresh"));
          byte[] body =
              JwtTokens.rs256(JwtTokens.RSA, null, claims).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    http.start();
    return http;
  }
}
