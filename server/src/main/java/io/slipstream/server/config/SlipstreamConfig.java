package io.slipstream.server.config;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.DropPolicy;

/**
 * Every setting of a Slipstream node (PROTOCOL.md §10), validated once at start.
 *
 * <p>Immutable and thread-safe. Build variations with {@link #toBuilder()}.
 *
 * @param host address to bind ({@code host})
 * @param port HTTP, WebSocket and SockJS port; 0 picks a free one ({@code port})
 * @param heartbeatMs server ping interval ({@code heartbeatMs})
 * @param heartbeatTimeoutMs silence before close 4008 ({@code heartbeatTimeoutMs})
 * @param helloTimeoutMs time a new socket has to send {@code hello} before 4004
 * @param sessionTtlMs how long a session outlives its connection ({@code sessionTtlMs})
 * @param buffer per-connection buffer bounds and policy ({@code buffer.*})
 * @param sustainMs how long a condition must last before 4001 or 4029 ({@code sustainMs})
 * @param replayLogSize replay log length per topic, in events ({@code replayLogSize})
 * @param maxFrameBytes largest inbound frame ({@code maxFrameBytes})
 * @param rateLimit inbound messages per second per connection ({@code rateLimit})
 * @param rateBurst inbound burst ({@code rateBurst})
 * @param publishToken bearer token required to publish over HTTP, or null
 * @param jwtSecret HS256 secret that {@code hello.token} must be signed with, or null
 * @param maxTopics most topics a node holds
 * @param maxSubscriptions most subscriptions per connection
 * @param maxSessions most sessions a node keeps
 * @param maxConnections most open connections per node
 * @param maxPublishBytes largest HTTP publish body
 * @param eventLoops event loops serving connections (edge verticle instances)
 */
public record SlipstreamConfig(
    String host,
    int port,
    long heartbeatMs,
    long heartbeatTimeoutMs,
    long helloTimeoutMs,
    long sessionTtlMs,
    BufferLimits buffer,
    long sustainMs,
    int replayLogSize,
    int maxFrameBytes,
    int rateLimit,
    int rateBurst,
    String publishToken,
    String jwtSecret,
    int maxTopics,
    int maxSubscriptions,
    int maxSessions,
    int maxConnections,
    int maxPublishBytes,
    int eventLoops) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  /** Server ping interval, ms. */
  public static final long DEFAULT_HEARTBEAT_MS = 15_000;
  /** Silence before 4008, ms. */
  public static final long DEFAULT_HEARTBEAT_TIMEOUT_MS = 30_000;
  /** Time to say hello before 4004, ms. */
  public static final long DEFAULT_HELLO_TIMEOUT_MS = 10_000;
  /** Session lifetime after its connection ends, ms. */
  public static final long DEFAULT_SESSION_TTL_MS = 60_000;
  /** Duration of a condition before 4001 or 4029, ms. */
  public static final long DEFAULT_SUSTAIN_MS = 5_000;
  /** Replay log length per topic, events. */
  public static final int DEFAULT_REPLAY_LOG_SIZE = 100_000;
  /** Largest inbound frame, bytes. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 65_536;
  /** Inbound messages per second per connection. */
  public static final int DEFAULT_RATE_LIMIT = 50;
  /** Inbound burst, messages. */
  public static final int DEFAULT_RATE_BURST = 100;
  public static final int DEFAULT_MAX_TOPICS = 10_000;
  public static final int DEFAULT_MAX_SUBSCRIPTIONS = 256;
  public static final int DEFAULT_MAX_SESSIONS = 100_000;
  public static final int DEFAULT_MAX_CONNECTIONS = 100_000;
  /** Largest HTTP publish body, bytes. */
  public static final int DEFAULT_MAX_PUBLISH_BYTES = 1_048_576;

  /** Default {@code eventLoops}: two per core. */
  public static int defaultEventLoops() {
    return 2 * Runtime.getRuntime().availableProcessors();
  }

  public SlipstreamConfig {
    require(host != null && !host.isBlank(), "host must not be empty");
    require(port >= 0 && port <= 65_535, "port must be 0..65535, was " + port);
    require(heartbeatMs > 0, "heartbeatMs must be positive, was " + heartbeatMs);
    require(
        heartbeatTimeoutMs > heartbeatMs,
        "heartbeatTimeoutMs must be greater than heartbeatMs (" + heartbeatMs + "), was " + heartbeatTimeoutMs);
    require(helloTimeoutMs > 0, "helloTimeoutMs must be positive, was " + helloTimeoutMs);
    require(sessionTtlMs >= 0, "sessionTtlMs must not be negative, was " + sessionTtlMs);
    require(buffer != null, "buffer is required");
    require(sustainMs > 0, "sustainMs must be positive, was " + sustainMs);
    require(replayLogSize >= 1, "replayLogSize must be at least 1, was " + replayLogSize);
    require(maxFrameBytes >= 256, "maxFrameBytes must be at least 256, was " + maxFrameBytes);
    require(rateLimit >= 1, "rateLimit must be at least 1, was " + rateLimit);
    require(rateBurst >= rateLimit, "rateBurst must be at least rateLimit (" + rateLimit + "), was " + rateBurst);
    require(publishToken == null || !publishToken.isEmpty(), "publishToken must not be empty when set");
    require(jwtSecret == null || !jwtSecret.isEmpty(), "jwtSecret must not be empty when set");
    require(maxTopics >= 1, "maxTopics must be at least 1, was " + maxTopics);
    require(maxSubscriptions >= 1, "maxSubscriptions must be at least 1, was " + maxSubscriptions);
    require(maxSessions >= 1, "maxSessions must be at least 1, was " + maxSessions);
    require(maxConnections >= 1, "maxConnections must be at least 1, was " + maxConnections);
    require(maxPublishBytes >= 1024, "maxPublishBytes must be at least 1024, was " + maxPublishBytes);
    require(eventLoops >= 1, "eventLoops must be at least 1, was " + eventLoops);
    require(buffer.policy() != DropPolicy.CONFLATE, "buffer.policy conflate is not supported yet");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** The defaults of PROTOCOL.md §10. */
  public static SlipstreamConfig defaults() {
    return new Builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.host = host;
    b.port = port;
    b.heartbeatMs = heartbeatMs;
    b.heartbeatTimeoutMs = heartbeatTimeoutMs;
    b.helloTimeoutMs = helloTimeoutMs;
    b.sessionTtlMs = sessionTtlMs;
    b.buffer = buffer;
    b.sustainMs = sustainMs;
    b.replayLogSize = replayLogSize;
    b.maxFrameBytes = maxFrameBytes;
    b.rateLimit = rateLimit;
    b.rateBurst = rateBurst;
    b.publishToken = publishToken;
    b.jwtSecret = jwtSecret;
    b.maxTopics = maxTopics;
    b.maxSubscriptions = maxSubscriptions;
    b.maxSessions = maxSessions;
    b.maxConnections = maxConnections;
    b.maxPublishBytes = maxPublishBytes;
    b.eventLoops = eventLoops;
    return b;
  }

  /** Mutable, single-threaded builder; {@link #build()} validates. */
  public static final class Builder {
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private long heartbeatMs = DEFAULT_HEARTBEAT_MS;
    private long heartbeatTimeoutMs = DEFAULT_HEARTBEAT_TIMEOUT_MS;
    private long helloTimeoutMs = DEFAULT_HELLO_TIMEOUT_MS;
    private long sessionTtlMs = DEFAULT_SESSION_TTL_MS;
    private BufferLimits buffer = BufferLimits.DEFAULTS;
    private long sustainMs = DEFAULT_SUSTAIN_MS;
    private int replayLogSize = DEFAULT_REPLAY_LOG_SIZE;
    private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
    private int rateLimit = DEFAULT_RATE_LIMIT;
    private int rateBurst = DEFAULT_RATE_BURST;
    private String publishToken;
    private String jwtSecret;
    private int maxTopics = DEFAULT_MAX_TOPICS;
    private int maxSubscriptions = DEFAULT_MAX_SUBSCRIPTIONS;
    private int maxSessions = DEFAULT_MAX_SESSIONS;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private int maxPublishBytes = DEFAULT_MAX_PUBLISH_BYTES;
    private int eventLoops = defaultEventLoops();

    private Builder() {}

    public Builder host(String v) { host = v; return this; }
    public Builder port(int v) { port = v; return this; }
    public Builder heartbeatMs(long v) { heartbeatMs = v; return this; }
    public Builder heartbeatTimeoutMs(long v) { heartbeatTimeoutMs = v; return this; }
    public Builder helloTimeoutMs(long v) { helloTimeoutMs = v; return this; }
    public Builder sessionTtlMs(long v) { sessionTtlMs = v; return this; }
    public Builder buffer(BufferLimits v) { buffer = v; return this; }
    public Builder sustainMs(long v) { sustainMs = v; return this; }
    public Builder replayLogSize(int v) { replayLogSize = v; return this; }
    public Builder maxFrameBytes(int v) { maxFrameBytes = v; return this; }
    public Builder rateLimit(int v) { rateLimit = v; return this; }
    public Builder rateBurst(int v) { rateBurst = v; return this; }
    public Builder publishToken(String v) { publishToken = v; return this; }
    public Builder jwtSecret(String v) { jwtSecret = v; return this; }
    public Builder maxTopics(int v) { maxTopics = v; return this; }
    public Builder maxSubscriptions(int v) { maxSubscriptions = v; return this; }
    public Builder maxSessions(int v) { maxSessions = v; return this; }
    public Builder maxConnections(int v) { maxConnections = v; return this; }
    public Builder maxPublishBytes(int v) { maxPublishBytes = v; return this; }
    public Builder eventLoops(int v) { eventLoops = v; return this; }

    /** The configuration; throws {@link IllegalArgumentException} naming a bad setting. */
    public SlipstreamConfig build() {
      return new SlipstreamConfig(
          host, port, heartbeatMs, heartbeatTimeoutMs, helloTimeoutMs, sessionTtlMs, buffer,
          sustainMs, replayLogSize, maxFrameBytes, rateLimit, rateBurst, publishToken, jwtSecret,
          maxTopics, maxSubscriptions, maxSessions, maxConnections, maxPublishBytes, eventLoops);
    }
  }
}
