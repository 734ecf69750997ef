package io.slipstream.server.protocol;

import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.ChangeOp;
import io.slipstream.core.topic.Row;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of serializing a {@code change} message with a 256-byte row: once per live change by
 * its topic ({@link ChangeFrames#encode}), once per row and subscriber for a snapshot ({@link
 * ChangeFrames#snapshotRow}), and, for comparison, the same message built and encoded as a Vert.x
 * {@link JsonObject}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// A fixed heap: grown from the small ergonomic default around a large live set, G1 made the
// million-row benchmarks alternate between two speeds several times apart.
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class ChangeFramesBenchmark {

  /** A typical order row, 256 bytes of compact JSON. */
  static final String ROW =
      new JsonObject()
          .put("id", "ord-000042")
          .put("customer", "Ada Lovelace")
          .put("status", "shipped")
          .put("amount", 1234.56)
          .put("currency", "EUR")
          .put("items", new JsonArray().add("sku-1001").add("sku-2002").add("sku-3003"))
          .put("address", "12 St James's Square, London SW1Y 4JH")
          .put("tracking", "RM123456789GB")
          .put("updatedAt", "2025-06-01T12:34:56.789Z")
          .encode();

  private ChangeEvent event;
  private Row row;
  private JsonObject parsedRow;
  private long seq;

  @Setup(Level.Trial)
  public void setUp() {
    if (ROW.length() < 240 || ROW.length() > 270) {
      throw new IllegalStateException("the row should be about 256 bytes, is " + ROW.length());
    }
    long ts = 1_748_781_296_789L;
    event =
        new ChangeEvent(
            "orders", "m1b2c3d4-5x6y7z8w9v0u", 123_456, ChangeOp.UPDATE, "ord-000042", ROW, ts,
            ChangeFrames.INSTANCE);
    row = new Row(ROW, ts);
    parsedRow = new JsonObject(ROW);
    seq = event.seq();
  }

  /** What does the once-per-change serialization of a live change cost? */
  @Benchmark
  public byte[] encodeChange() {
    return ChangeFrames.INSTANCE.encode(event);
  }

  /** What does serializing one snapshot row for one subscriber cost? */
  @Benchmark
  public byte[] snapshotRow() {
    return ChangeFrames.snapshotRow(event.topic(), event.epoch(), seq, event.key(), row);
  }

  /**
   * What would the same message cost built as a JsonObject (row already parsed) and encoded by
   * Vert.x's Jackson codec, to the same UTF-8 bytes?
   */
  @Benchmark
  public byte[] jsonObjectEncode() {
    return new JsonObject()
        .put("type", "change")
        .put("topic", event.topic())
        .put("epoch", event.epoch())
        .put("seq", event.seq())
        .put("op", event.op().name())
        .put("key", event.key())
        .put("ts", event.ts())
        .put("row", parsedRow)
        .encode()
        .getBytes(StandardCharsets.UTF_8);
  }
}
