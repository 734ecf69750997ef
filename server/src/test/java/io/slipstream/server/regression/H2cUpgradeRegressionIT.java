package io.slipstream.server.regression;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bug: the node accepted an HTTP/1.1 → HTTP/2 cleartext upgrade ({@code Upgrade: h2c}) on every
 * request, Vert.x's default, though the API is HTTP/1.1 (docs/protocol.md §10). {@code
 * java.net.http.HttpClient} asks for that upgrade by default, and now and then such an exchange
 * never completed: the client had read every byte of the 101 and the HTTP/2 answer (both sockets'
 * queues empty), the request timeout had been cancelled with the headers, and {@code send} waited
 * for the body forever. That is the intermittent 120 s hang of {@code SubscribeChurnRegressionIT}
 * (main thread in {@code HttpClientImpl.send} under {@code TestServer.request}, an {@code
 * Http2Connection} and one {@code Stream} on the heap, both event loops idle); a Java producer
 * publishing with a default client hung the same way.
 *
 * <p>Now the node never upgrades: the same request is answered in HTTP/1.1.
 */
class H2cUpgradeRegressionIT {

  private TestServer server;

  @BeforeEach
  void start() {
    server = TestServer.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void anUpgradeToH2cIsAnsweredInHttp11() throws IOException {
    String head =
        exchange(
            "GET /api/topics HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n"
                + "Connection: Upgrade, HTTP2-Settings\r\n"
                + "Upgrade: h2c\r\n"
                + "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n"
                + "\r\n");
    assertThat(head).as("answer to an h2c upgrade").startsWith("HTTP/1.1 200 ");
  }

  @Test
  void aDefaultJavaHttpClientIsAnsweredInHttp11() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    assertThat(http.version()).isEqualTo(HttpClient.Version.HTTP_2);
    HttpRequest publish =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/api/topics/t/changes"))
            .timeout(Duration.ofSeconds(20))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{}}"))
            .build();
    HttpRequest list =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/topics"))
            .timeout(Duration.ofSeconds(20))
            .build();
    for (HttpRequest r : new HttpRequest[] {publish, list}) {
      HttpResponse<String> answer = http.send(r, HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as("%s", r).isEqualTo(200);
      assertThat(answer.version()).as("protocol of %s", r).isEqualTo(HttpClient.Version.HTTP_1_1);
    }
  }

  /** Sends {@code request} on a fresh socket and returns the answer's head. */
  private String exchange(String request) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        head.write(b);
        if (head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
          break;
        }
      }
      return head.toString(StandardCharsets.US_ASCII);
    }
  }
}
