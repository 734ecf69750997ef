package io.slipstream.server.connection;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.slipstream.core.buffer.ClientBuffer;
import io.slipstream.core.message.CloseCode;
import io.slipstream.core.qos.QosClass;
import io.slipstream.core.time.Clock;
import io.slipstream.server.config.QualityThresholds;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.metrics.Metrics;
import io.slipstream.server.transport.Transport;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one event loop's quality tick costs over {@link #connections} connections: {@code
 * QualityTicks}' tick as the loop's periodic timer runs it (the event-loop delay meter, then per
 * connection {@link ConnectionQuality#tick}, its gauge count and the buffer-fill histogram, then
 * the gauges' update), on the real per-connection objects a connection makes ({@link ClientBuffer}
 * with the default limits, {@link SlowConsumerWatch}, {@link Outbox}, {@link WritePump}, {@link
 * Subscriptions} with its {@link AckLag}) and the real Prometheus meters. One operation is one tick
 * of the whole loop: divide the time by {@link #connections} for the cost per connection per tick.
 *
 * <p>{@code load}: {@code idle} connections have never acked (the ack-lag window is empty, the case
 * of most of 100,000 connections); {@code acking} ones recorded one ack since the last tick (before
 * each tick, outside the measurement), so every tick sorts each connection's 128-sample window
 * again for its p99. Nothing is subscribed and no buffer fills: a quality transition (which builds
 * and publishes figures) is an event, not the tick's steady state.
 *
 * <p>Single-threaded, like the loop: the benchmark thread runs the tick the event loop would. The
 * loop is joined with a one-day period, so its real timer never fires during the run, and the tick
 * is called reflectively (it is private to {@code QualityTicks}); the clock is advanced by the
 * default {@code quality.tickMs} before each tick, so every tick takes its figures.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class QualityTickBenchmark {

  private static final long TICK_MS = QualityThresholds.DEFAULT_TICK_MS;
  private static final long NEVER_MS = TimeUnit.DAYS.toMillis(1);

  /** The tick's arguments: one array, not a new empty varargs array (16 B) per call. */
  private static final Object[] NO_ARGS = {};

  /** Connections on the loop: 10,000, the most this machine's file limit allows for real. */
  @Param({"10000"})
  public int connections;

  @Param({"idle", "acking"})
  public String load;

  private volatile long now = 1_000_000;
  private final Clock clock = () -> now;
  private Vertx vertx;
  private AckLag[] ackLags;
  private Object loop;
  private Method tick;

  @Setup(Level.Trial)
  public void setUp() throws ReflectiveOperationException {
    vertx = Vertx.vertx();
    Context context = vertx.getOrCreateContext();
    SlipstreamConfig config = SlipstreamConfig.defaults();
    Metrics metrics = new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    ConnectionServices services =
        new ConnectionServices(config, null, null, null, null, null, metrics, clock, null);
    QualityTicks ticks = new QualityTicks();
    Transport transport = new IdleTransport();
    ackLags = new AckLag[connections];
    for (int i = 0; i < connections; i++) {
      // As Connection makes them: the standard class's buffer and sustain timer.
      QosClass qos = config.qos().standard();
      ClientBuffer buffer = new ClientBuffer(qos.buffer(), config.warnRearmMs(), clock);
      Outbox out = new Outbox(transport, metrics, clock);
      SlowConsumerWatch watch =
          new SlowConsumerWatch(
              vertx,
              clock,
              buffer,
              qos.sustainMs(),
              metrics,
              (event, reason) -> {},
              message -> {},
              () -> {});
      WritePump pump =
          new WritePump(context, transport, out, buffer, watch::afterPoll, watch::behind, clock);
      Subscriptions subscriptions = new Subscriptions(services, null, null, buffer, null);
      subscriptions.attach(pump, watch);
      ackLags[i] = subscriptions.ackLagWindow();
      ConnectionQuality quality =
          new ConnectionQuality(
              config.quality(),
              clock.millis(),
              buffer,
              watch,
              out,
              pump,
              ackLags[i],
              (event, reason, figures) -> {},
              subscriptions::reportRows);
      ticks.join(context, quality, NEVER_MS, metrics, clock);
    }
    Field loops = QualityTicks.class.getDeclaredField("loops");
    loops.setAccessible(true);
    loop = ((Map<?, ?>) loops.get(ticks)).get(context);
    tick = loop.getClass().getDeclaredMethod("tick");
    tick.setAccessible(true);
    if (load.equals("acking")) {
      // A full window, as after a while of acking: the sort then works on all 128 samples.
      for (AckLag lag : ackLags) {
        for (int s = 0; s < AckLag.SAMPLES; s++) {
          lag.record(s * 7 % 97);
        }
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    vertx.close().await();
  }

  /** Advances the clock one tick, and for {@code acking} gives every connection one more ack. */
  @Setup(Level.Invocation)
  public void beforeTick() {
    now += TICK_MS;
    if (load.equals("acking")) {
      long lag = now % 89;
      for (AckLag ackLag : ackLags) {
        ackLag.record(lag);
      }
    }
  }

  /** What does one quality tick of a loop cost, all its connections together? */
  @Benchmark
  public Object tick() throws ReflectiveOperationException {
    return tick.invoke(loop, NO_ARGS);
  }

  /** A socket that takes everything and never fills: the tick never writes. */
  private static final class IdleTransport implements Transport {
    @Override
    public String kind() {
      return "websocket";
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public void write(byte[] message) {}

    @Override
    public void flush() {}

    @Override
    public void writeBatch(List<byte[]> messages) {}

    @Override
    public void onDrain(Runnable action) {}

    @Override
    public void ping() {}

    @Override
    public void pauseReading() {}

    @Override
    public void resumeReading() {}

    @Override
    public void close(CloseCode code) {}
  }
}
