package io.slipstream.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.loadtest.report.RunResult;
import io.slipstream.loadtest.testing.ServerJar;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end: {@code fanout --deflate --row-shape realistic} against the real server jar with {@code
 * compression.enabled}: the clients negotiate permessage-deflate, every change still arrives once
 * and in order through the compressed frames, and the bytes on the wire per delivery (the server's
 * {@code slipstream_ws_bytes_written_total}) fall below the row's size, while the same run without
 * {@code --deflate} pays more than the row (the change's envelope and the frame header). Skipped
 * when the jar has not been built, as {@link LoadtestSmokeIT}.
 */
class DeflateFanoutIT {

  private static final int ROW_BYTES = 2048;

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void deflatedRealisticRowsCostFewerBytesOnTheWireThanPlainOnes(@TempDir Path dir)
      throws Exception {
    ServerJar.requireBuilt();
    try (ServerJar server =
        ServerJar.start(dir.resolve("server.log"), "--set", "compression.enabled=true")) {
      RunResult deflated = fanout(server, dir.resolve("deflated"), true);
      RunResult plain = fanout(server, dir.resolve("plain"), false);

      assertThat(deflated.get("run", "permessage-deflate offered")).isEqualTo(true);
      double deflatedBytes = (Double) deflated.get("cost", "bytes on the wire per delivery");
      double plainBytes = (Double) plain.get("cost", "bytes on the wire per delivery");
      assertThat(plainBytes).as("plain: the row plus envelope and header").isGreaterThan(ROW_BYTES);
      assertThat(deflatedBytes)
          .as("deflated realistic rows (plain: %.0f B)", plainBytes)
          .isLessThan(ROW_BYTES * 0.8);
    }
  }

  private static RunResult fanout(ServerJar server, Path out, boolean deflate) {
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    List<String> args =
        new ArrayList<>(
            List.of(
                "fanout",
                "--url", server.url(),
                "--clients", "10",
                "--rate", "100",
                "--duration", "2",
                "--drain", "10",
                "--size", Integer.toString(ROW_BYTES),
                "--row-shape", "realistic",
                "--out", out.toString(),
                "--quiet"));
    if (deflate) {
      args.add("--deflate");
    }
    RunResult r = Main.execute(args.toArray(new String[0]), quiet, quiet).result();
    assertThat(r.passed()).as("checks: %s", r.checks()).isTrue();
    long published = (Long) r.get("run", "published (accepted)");
    assertThat(r.get("run", "deliveries")).isEqualTo(10 * published);
    return r;
  }
}
