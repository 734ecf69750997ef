package io.slipstream.server.transport;

import io.netty.buffer.ByteBuf;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.ChangeOp;
import io.slipstream.server.protocol.ChangeFrames;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the WebSocket transport pays per socket for a live change's frame: a hit in the event loop's
 * {@link WireFrames} table (a retained duplicate of the frame encoded once, then its release, as
 * the channel does once the socket has taken it), against encoding the frame for that socket alone
 * (a pooled direct buffer, the header and a copy of the payload).
 *
 * <p>One thread (the table is confined to an event loop); a 256-byte row, a 330-byte payload.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class WireFramesBenchmark {

  private final WireFrames frames = new WireFrames();
  private ChangeEvent event;

  @Setup(Level.Trial)
  public void setUp() {
    String row = "{\"p\":\"" + "x".repeat(248) + "\"}";
    event =
        new ChangeEvent(
            "topic-a", "e1", 42, ChangeOp.UPDATE, "key-1", row, 1L, ChangeFrames.INSTANCE);
    frames.frame(event).release();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    frames.clear();
  }

  /** What does a socket pay for the frame of a change already encoded on its event loop? */
  @Benchmark
  public int sharedFrame() {
    ByteBuf f = frames.frame(event);
    int n = f.readableBytes();
    f.release();
    return n;
  }

  /** What would it pay encoding the frame for itself (a control message does that)? */
  @Benchmark
  public int ownFrame() {
    ByteBuf f = WireFrames.encode(io.netty.buffer.PooledByteBufAllocator.DEFAULT, event.frame());
    int n = f.readableBytes();
    f.release();
    return n;
  }
}
