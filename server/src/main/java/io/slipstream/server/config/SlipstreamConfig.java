package io.slipstream.server.config;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.qos.QosClasses;
import io.vertx.core.json.JsonObject;
import io.slipstream.core.buffer.DropPolicy;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import io.slipstream.server.log.Logging;

/**
 * Every setting of a Slipstream node (docs/protocol.md §12), validated once at start.
 *
 * <p>Immutable and thread-safe. Build variations with {@link #toBuilder()}, e.g. {@code
 * SlipstreamConfig.defaults().toBuilder().port(0).heartbeatMs(200).build()}. The compact
 * constructor rejects a bad value with an {@link IllegalArgumentException} whose message starts
 * with the setting's key and ends with the value it was given. {@link ConfigLoader} binds the same
 * keys from a file, system properties, the environment and flags.
 *
 * @param host address to bind ({@code host})
 * @param port HTTP, WebSocket and SockJS port; 0 picks a free one ({@code port})
 * @param heartbeatMs server ping interval, ms ({@code heartbeatMs})
 * @param heartbeatTimeoutMs silence before close 4008, ms ({@code heartbeatTimeoutMs})
 * @param helloTimeoutMs time a new socket has to send {@code hello} before 4004, ms ({@code
 *     helloTimeoutMs})
 * @param sessionTtlMs how long a session outlives its connection, ms ({@code sessionTtlMs})
 * @param buffer per-connection buffer bounds and policy ({@code buffer.*})
 * @param sustainMs how long a condition must last before 4001 or 4029, ms ({@code sustainMs})
 * @param replayLogSize replay log length per topic, in events ({@code replayLogSize})
 * @param maxFrameBytes largest inbound frame, bytes ({@code maxFrameBytes})
 * @param rateLimit inbound messages per second per connection ({@code rateLimit})
 * @param rateBurst inbound burst, messages ({@code rateBurst})
 * @param publishToken bearer token required to publish over HTTP, or null for none ({@code
 *     publishToken})
 * @param jwtSecret HS256/384/512 secret that {@code hello.token} must be signed with, or null for
 *     no authentication ({@code jwtSecret})
 * @param maxTopics most topics a node holds ({@code maxTopics})
 * @param maxSubscriptions most subscriptions per connection ({@code maxSubscriptions})
 * @param maxSessions most sessions a node keeps ({@code maxSessions})
 * @param maxConnections most open connections per node ({@code maxConnections})
 * @param maxPublishBytes largest HTTP publish body, bytes; larger bodies get 413 ({@code
 *     maxPublishBytes})
 * @param eventLoops event loops serving connections, one server verticle each ({@code eventLoops})
 * @param warnRearmMs fill must stay below {@code buffer.warn} this long before the next {@code
 *     warning}, ms ({@code warnRearmMs})
 * @param apiToken bearer token required by every {@code GET /api/...}, or null for none ({@code
 *     apiToken})
 * @param jwtRequireExp whether a JWT without {@code exp} is refused ({@code jwtRequireExp})
 * @param idempotencyWindow {@code Idempotency-Key}s remembered per topic ({@code
 *     idempotencyWindow})
 * @param replayLogBytes replay log bound per topic, bytes ({@code replayLogBytes})
 * @param topicStateBudgetBytes all topics' rows and logs on this node, bytes; publishes beyond get
 *     507 ({@code topicStateBudgetBytes})
 * @param bufferBudgetBytes all connection buffers' pending bytes on this node together; beyond,
 *     the connections furthest behind are shed ({@code buffer.budgetBytes}, docs/protocol.md §6)
 * @param maxPendingPublishes publishes queued or in flight per sequencer; beyond, 503 {@code
 *     overloaded} ({@code maxPendingPublishes})
 * @param metricsToken bearer token required by {@code GET /health} and {@code /metrics}, or null
 *     for none ({@code metricsToken})
 * @param netTransport the socket I/O engine: {@code epoll} (default), {@code io_uring} (opt-in;
 *     epoll when the kernel or the sandbox refuses it) or {@code nio} ({@code netTransport})
 * @param cluster how the node joins a cluster; {@link ClusterConfig#DEFAULTS} runs one node
 *     ({@code cluster.*})
 * @param publishTimeoutMs how long a publish may wait for its sequencer before it is refused (503
 *     {@code overloaded}, never applied later), ms ({@code publishTimeoutMs})

 * @param clientOrigins the origins allowed to load the client ({@code /slipstream.js}) from
 *     another origin, as a comma-separated list of {@code scheme://host[:port]}, or {@code *} for
 *     any ({@code clientOrigins})
 * @param access token keys and checked claims besides {@code jwtSecret}, the Origin allow-list and
 *     the per-address connection limit ({@code jwtPublicKey}, {@code allowedOrigins}, …)
 * @param quality when a connection counts as {@code lagging}, and how often that is looked at
 *     ({@code quality.*})
 * @param metricsTopics topic-name patterns ({@code *} a wildcard), comma-separated, whose topics get
 *     per-topic meters; empty for none ({@code metrics.topics})
 * @param logFormat {@code json}, {@code text}, or {@code auto} (JSON unless standard error is a
 *     terminal) ({@code log.format})
 * @param logLevels a level per logger, {@code io.slipstream=INFO,io.netty=WARN}; empty for the
 *     defaults ({@code log.levels})
 * @param compression permessage-deflate on {@code /ws} ({@code compression.*})
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
    int eventLoops,
    long warnRearmMs,
    String apiToken,
    boolean jwtRequireExp,
    int idempotencyWindow,
    long replayLogBytes,
    long topicStateBudgetBytes,
    long bufferBudgetBytes,
    int maxPendingPublishes,
    String metricsToken,
    long publishTimeoutMs,

    String clientOrigins,
    String netTransport,
    ClusterConfig cluster,
    QosClasses qos,
    AccessConfig access,
    QualityThresholds quality,
    String metricsTopics,
    String logFormat,
    String logLevels,
    CompressionConfig compression) {

  /** Default {@code log.format}: JSON lines unless standard error is a terminal. */
  public static final String DEFAULT_LOG_FORMAT = Logging.AUTO;
  /** Default {@code log.levels}: every logger at java.util.logging's default (INFO). */
  public static final String DEFAULT_LOG_LEVELS = "";

  /** Default {@code metrics.topics}: no topic has meters of its own. */
  public static final String DEFAULT_METRICS_TOPICS = "";

  /**
   * Default {@code netTransport}: {@code epoll}, Linux's native transport (NIO where it is
   * missing). {@code io_uring} is opt-in: measured in docs/benchmarks.md, "io_uring".
   */
  public static final String DEFAULT_NET_TRANSPORT = "epoll";

  /** The values {@code netTransport} takes. */
  public static final java.util.List<String> NET_TRANSPORTS = java.util.List.of("epoll", "io_uring", "nio");

  /** Default {@code host}: every interface. */
  public static final String DEFAULT_HOST = "0.0.0.0";
  /** Default {@code port}: 8080, for HTTP, WebSocket and SockJS alike. */
  public static final int DEFAULT_PORT = 8080;
  /** Default {@code heartbeatMs}: the server pings every 15,000 ms. */
  public static final long DEFAULT_HEARTBEAT_MS = 15_000;
  /** Default {@code heartbeatTimeoutMs}: 30,000 ms of silence from a client closes it with 4008. */
  public static final long DEFAULT_HEARTBEAT_TIMEOUT_MS = 30_000;
  /** Default {@code helloTimeoutMs}: a new socket has 10,000 ms to say {@code hello}, else 4004. */
  public static final long DEFAULT_HELLO_TIMEOUT_MS = 10_000;
  /** Default {@code sessionTtlMs}: a session outlives its connection by 60,000 ms. */
  public static final long DEFAULT_SESSION_TTL_MS = 60_000;
  /** Default {@code sustainMs}: a condition must last 5,000 ms before 4001 or 4029. */
  public static final long DEFAULT_SUSTAIN_MS = 5_000;
  /** Default {@code replayLogSize}: 100,000 events of history per topic. */
  public static final int DEFAULT_REPLAY_LOG_SIZE = 100_000;
  /** Default {@code maxFrameBytes}: inbound frames up to 65,536 bytes. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 65_536;
  /** Default {@code rateLimit}: 50 inbound messages per second per connection. */
  public static final int DEFAULT_RATE_LIMIT = 50;
  /** Default {@code rateBurst}: bursts of up to 100 inbound messages. */
  public static final int DEFAULT_RATE_BURST = 100;
  /** Default {@code publishToken}: none, so HTTP publishing needs no token. */
  public static final String DEFAULT_PUBLISH_TOKEN = null;
  /** Default {@code jwtSecret}: none, so {@code hello} needs no token. */
  public static final String DEFAULT_JWT_SECRET = null;
  /** Default {@code maxTopics}: 10,000 topics per node. */
  public static final int DEFAULT_MAX_TOPICS = 10_000;
  /** Default {@code maxSubscriptions}: 256 subscriptions per connection. */
  public static final int DEFAULT_MAX_SUBSCRIPTIONS = 256;
  /** Default {@code maxSessions}: 100,000 sessions per node. */
  public static final int DEFAULT_MAX_SESSIONS = 100_000;
  /** Default {@code maxConnections}: 100,000 open connections per node. */
  public static final int DEFAULT_MAX_CONNECTIONS = 100_000;
  /** Default {@code maxPublishBytes}: HTTP publish bodies up to 1 MiB (1,048,576 bytes). */
  public static final int DEFAULT_MAX_PUBLISH_BYTES = 1_048_576;
  /** Default {@code warnRearmMs}: the fill must stay below warn for 1,000 ms before another {@code warning}. */
  public static final long DEFAULT_WARN_REARM_MS = 1_000;
  /** Default {@code apiToken}: none, so the read API is open. */
  public static final String DEFAULT_API_TOKEN = null;
  /** Default {@code jwtRequireExp}: a JWT must carry {@code exp}. */
  public static final boolean DEFAULT_JWT_REQUIRE_EXP = true;
  /** Default {@code idempotencyWindow}: the last 100,000 keys of each topic are remembered. */
  public static final int DEFAULT_IDEMPOTENCY_WINDOW = 100_000;
  /** Default {@code replayLogBytes}: 64 MiB (67,108,864 bytes) of history per topic. */
  public static final long DEFAULT_REPLAY_LOG_BYTES = 67_108_864L;
  /** Default {@code maxPendingPublishes}: 4,096 publishes queued or in flight per sequencer. */
  public static final int DEFAULT_MAX_PENDING_PUBLISHES = 4_096;
  /** Default {@code metricsToken}: none, so {@code /health} and {@code /metrics} are open. */
  public static final String DEFAULT_METRICS_TOKEN = null;
  /**
   * Default {@code publishTimeoutMs}: 10,000 ms. A publish not begun by then is answered 503
   * {@code overloaded} and never applied afterwards.
   */
  public static final long DEFAULT_PUBLISH_TIMEOUT_MS = 10_000;
  /**
   * Default {@code clientOrigins}: {@code *}, any origin may load the client script (it is
   * public code; what it connects to is guarded by the socket's own auth).
   */
  public static final String DEFAULT_CLIENT_ORIGINS = "*";
  /** Most origins {@code clientOrigins} may list: the allow-list is a set held per request. */
  public static final int MAX_CLIENT_ORIGINS = 64;

  private static final Pattern ORIGIN = Pattern.compile("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?");

  /**
   * Default {@code eventLoops}: one per available processor. Nothing blocks a loop (snapshots are
   * streamed in chunks, the cluster's calls are asynchronous), so a second loop per core only adds
   * a hub per topic and a wake-up per batch: on 2 cores, 4 loops cost 7-9 % more server CPU per
   * delivery than 2 at 1,000 × 100/s and 100 × 500/s (docs/benchmarks.md, "eventLoops"). A method,
   * not a constant, because it depends on the machine.
   */
  public static int defaultEventLoops() {
    return Runtime.getRuntime().availableProcessors();
  }

  /**
   * Default {@code topicStateBudgetBytes}: half the JVM's maximum heap, so topic state can never
   * take the memory the connections' buffers need. A method because it depends on {@code -Xmx}.
   */
  public static long defaultTopicStateBudgetBytes() {
    return Math.max(1L << 20, Runtime.getRuntime().maxMemory() / 2);
  }

  /**
   * Default {@code buffer.budgetBytes}: a quarter of the JVM's maximum heap (contract §10), so the
   * connections' buffers together leave room for topic state and the rest. A method because it
   * depends on {@code -Xmx}.
   */
  public static long defaultBufferBudgetBytes() {
    return Math.max(MIN_BUFFER_BUDGET_BYTES, Runtime.getRuntime().maxMemory() / 4);
  }

  /** The smallest {@code buffer.budgetBytes}: 64 KiB, room for a few connections' backlogs. */
  public static final long MIN_BUFFER_BUDGET_BYTES = 64 * 1024;

  /** Validates every value; the message names the key and the value it was given. */
  public SlipstreamConfig {
    require(host != null && !host.isBlank(), "host must not be empty, was " + quote(host));
    require(
        port >= 0 && port <= 65_535, "port must be 0..65535 (0 picks a free port), was " + port);
    require(heartbeatMs > 0, "heartbeatMs must be positive, was " + heartbeatMs);
    require(
        heartbeatTimeoutMs > heartbeatMs,
        "heartbeatTimeoutMs must be greater than heartbeatMs ("
            + heartbeatMs
            + "), was "
            + heartbeatTimeoutMs);
    require(helloTimeoutMs > 0, "helloTimeoutMs must be positive, was " + helloTimeoutMs);
    require(sessionTtlMs >= 0, "sessionTtlMs must not be negative, was " + sessionTtlMs);
    require(buffer != null, "buffer is required, was null");
    require(cluster != null, "cluster is required, was null");

    require(qos != null, "qos.classes is required, was null");
    require(access != null, "access is required, was null");
    require(quality != null, "quality is required, was null");
    require(
        metricsTopics != null && metricsTopics.matches("([A-Za-z0-9._*-]{1,128}(,[A-Za-z0-9._*-]{1,128})*)?"),
        "metrics.topics must be comma-separated topic patterns ([A-Za-z0-9._-] and *), was "
            + quote(metricsTopics));
    require(
        Logging.isFormat(logFormat),
        "log.format must be json, text or auto, was " + quote(logFormat));
    require(compression != null, "compression is required, was null");
    require(logLevels != null, "log.levels must not be null, was null");
    Logging.parseLevels(logLevels);
    require(sustainMs > 0, "sustainMs must be positive, was " + sustainMs);
    require(replayLogSize >= 1, "replayLogSize must be at least 1, was " + replayLogSize);
    require(maxFrameBytes >= 256, "maxFrameBytes must be at least 256, was " + maxFrameBytes);
    require(rateLimit >= 1, "rateLimit must be at least 1, was " + rateLimit);
    require(
        rateBurst >= rateLimit,
        "rateBurst must be at least rateLimit (" + rateLimit + "), was " + rateBurst);
    require(
        publishToken == null || !publishToken.isBlank(),
        "publishToken must not be empty when set, was " + quote(publishToken));
    require(
        jwtSecret == null || !jwtSecret.isBlank(),
        "jwtSecret must not be empty when set, was " + quote(jwtSecret));
    require(maxTopics >= 1, "maxTopics must be at least 1, was " + maxTopics);
    require(maxSubscriptions >= 1, "maxSubscriptions must be at least 1, was " + maxSubscriptions);
    require(maxSessions >= 1, "maxSessions must be at least 1, was " + maxSessions);
    require(maxConnections >= 1, "maxConnections must be at least 1, was " + maxConnections);
    require(
        maxSessions >= maxConnections,
        "maxSessions must be at least maxConnections (" + maxConnections + "), was " + maxSessions);
    require(
        maxPublishBytes >= 1024, "maxPublishBytes must be at least 1024, was " + maxPublishBytes);
    require(eventLoops >= 1, "eventLoops must be at least 1, was " + eventLoops);
    require(warnRearmMs >= 0, "warnRearmMs must not be negative, was " + warnRearmMs);
    require(
        apiToken == null || !apiToken.isBlank(),
        "apiToken must not be empty when set, was " + quote(apiToken));
    require(
        idempotencyWindow >= 1, "idempotencyWindow must be at least 1, was " + idempotencyWindow);
    require(replayLogBytes >= 1024, "replayLogBytes must be at least 1024, was " + replayLogBytes);
    require(
        topicStateBudgetBytes >= 1 << 20,
        "topicStateBudgetBytes must be at least 1048576, was " + topicStateBudgetBytes);
    require(
        bufferBudgetBytes >= MIN_BUFFER_BUDGET_BYTES,
        "buffer.budgetBytes must be at least " + MIN_BUFFER_BUDGET_BYTES + ", was "
            + bufferBudgetBytes);
    require(
        maxPendingPublishes >= 1,
        "maxPendingPublishes must be at least 1, was " + maxPendingPublishes);
    require(
        metricsToken == null || !metricsToken.isBlank(),
        "metricsToken must not be empty when set, was " + quote(metricsToken));
    require(publishTimeoutMs >= 1, "publishTimeoutMs must be at least 1, was " + publishTimeoutMs);
    require(
        NET_TRANSPORTS.contains(netTransport),
        "netTransport must be one of epoll, io_uring, nio, was " + quote(netTransport));

    clientOriginSet(clientOrigins);
  }

  /**
   * The origins of {@code clientOrigins}, or an empty set for {@code *} (any origin).
   *
   * @throws IllegalArgumentException naming {@code clientOrigins} and the bad entry
   */
  public Set<String> clientOriginSet() {
    return clientOriginSet(clientOrigins);
  }

  private static Set<String> clientOriginSet(String origins) {
    require(origins != null, "clientOrigins must be * or a list of origins, was null");
    if (origins.trim().equals("*")) {
      return Set.of();
    }
    Set<String> set = new LinkedHashSet<>();
    for (String part : origins.split(",", -1)) {
      String origin = part.trim();
      require(
          ORIGIN.matcher(origin).matches(),
          "clientOrigins must be * or a comma-separated list of scheme://host[:port] origins (no"
              + " path, no trailing slash); "
              + quote(origin)
              + " is none, was "
              + quote(origins));
      set.add(origin.toLowerCase(Locale.ROOT));
    }
    require(
        set.size() <= MAX_CLIENT_ORIGINS,
        "clientOrigins may list at most " + MAX_CLIENT_ORIGINS + " origins, was " + set.size());
    return Collections.unmodifiableSet(set);
  }

  /**
   * Whether {@code hello.token} is checked (docs/protocol.md §3): some key is configured, {@code
   * jwtSecret}, {@code jwtPublicKey} or {@code jwtJwksFile}.
   */
  public boolean jwtEnabled() {
    return jwtSecret != null || access.jwtPublicKey() != null || access.jwtJwksFile() != null;
  }

  /** The patterns of {@code metrics.topics}. */
  public java.util.List<String> metricsTopicPatterns() {
    return metricsTopics.isEmpty() ? java.util.List.of() : java.util.List.of(metricsTopics.split(","));
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  private static String quote(String s) {
    return s == null ? "null" : '"' + s + '"';
  }

  /** The defaults of docs/protocol.md §12 and the README's settings table. */
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
    b.warnRearmMs = warnRearmMs;
    b.apiToken = apiToken;
    b.jwtRequireExp = jwtRequireExp;
    b.idempotencyWindow = idempotencyWindow;
    b.replayLogBytes = replayLogBytes;
    b.topicStateBudgetBytes = topicStateBudgetBytes;
    b.bufferBudgetBytes = bufferBudgetBytes;
    b.maxPendingPublishes = maxPendingPublishes;
    b.metricsToken = metricsToken;
    b.publishTimeoutMs = publishTimeoutMs;

    b.clientOrigins = clientOrigins;
    b.netTransport = netTransport;
    b.cluster = cluster;

    b.qosClasses = QosConfig.toJson(qos, buffer, sustainMs, compression.enabled());
    b.access = access;
    b.quality = quality;
    b.metricsTopics = metricsTopics;
    b.logFormat = logFormat;
    b.logLevels = logLevels;
    b.compression = compression;
    return b;
  }

  /**
   * A configuration under construction, starting from the defaults or from an existing one.
   *
   * <p>Mutable and confined to one thread; {@link #build()} validates.
   */
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
    private String publishToken = DEFAULT_PUBLISH_TOKEN;
    private String jwtSecret = DEFAULT_JWT_SECRET;
    private int maxTopics = DEFAULT_MAX_TOPICS;
    private int maxSubscriptions = DEFAULT_MAX_SUBSCRIPTIONS;
    private int maxSessions = DEFAULT_MAX_SESSIONS;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private int maxPublishBytes = DEFAULT_MAX_PUBLISH_BYTES;
    private int eventLoops = defaultEventLoops();
    private long warnRearmMs = DEFAULT_WARN_REARM_MS;
    private String apiToken = DEFAULT_API_TOKEN;
    private boolean jwtRequireExp = DEFAULT_JWT_REQUIRE_EXP;
    private int idempotencyWindow = DEFAULT_IDEMPOTENCY_WINDOW;
    private long replayLogBytes = DEFAULT_REPLAY_LOG_BYTES;
    private long topicStateBudgetBytes = defaultTopicStateBudgetBytes();
    private long bufferBudgetBytes = defaultBufferBudgetBytes();
    private int maxPendingPublishes = DEFAULT_MAX_PENDING_PUBLISHES;
    private String metricsToken = DEFAULT_METRICS_TOKEN;
    private long publishTimeoutMs = DEFAULT_PUBLISH_TIMEOUT_MS;

    private String clientOrigins = DEFAULT_CLIENT_ORIGINS;
    private String netTransport = DEFAULT_NET_TRANSPORT;
    private ClusterConfig cluster = ClusterConfig.DEFAULTS;

    private JsonObject qosClasses;
    private AccessConfig access = AccessConfig.DEFAULTS;
    private QualityThresholds quality = QualityThresholds.DEFAULTS;
    private String metricsTopics = DEFAULT_METRICS_TOPICS;
    private String logFormat = DEFAULT_LOG_FORMAT;
    private String logLevels = DEFAULT_LOG_LEVELS;
    private CompressionConfig compression = CompressionConfig.DEFAULTS;

    private Builder() {}

    /**
     * Sets {@code qos.classes}, the file-only object of QoS classes by name ({@link QosConfig}); null
     * for {@code standard} only. Read at {@link #build}, over the buffer and {@code sustainMs} set.
     */
    public Builder qosClasses(JsonObject v) {
      qosClasses = v == null ? null : v.copy();
      return this;
    }

    /** Sets {@code host}. */
    public Builder host(String v) {
      host = v;
      return this;
    }

    /** Sets {@code port}; 0 picks a free port. */
    public Builder port(int v) {
      port = v;
      return this;
    }

    /** Sets {@code heartbeatMs}. */
    public Builder heartbeatMs(long v) {
      heartbeatMs = v;
      return this;
    }

    /** Sets {@code heartbeatTimeoutMs}. */
    public Builder heartbeatTimeoutMs(long v) {
      heartbeatTimeoutMs = v;
      return this;
    }

    /** Sets {@code helloTimeoutMs}. */
    public Builder helloTimeoutMs(long v) {
      helloTimeoutMs = v;
      return this;
    }

    /** Sets {@code sessionTtlMs}. */
    public Builder sessionTtlMs(long v) {
      sessionTtlMs = v;
      return this;
    }

    /** Sets every {@code buffer.*} setting at once. */
    public Builder buffer(BufferLimits v) {
      buffer = v;
      return this;
    }

    /** Sets {@code sustainMs}. */
    public Builder sustainMs(long v) {
      sustainMs = v;
      return this;
    }

    /** Sets {@code replayLogSize}. */
    public Builder replayLogSize(int v) {
      replayLogSize = v;
      return this;
    }

    /** Sets {@code maxFrameBytes}. */
    public Builder maxFrameBytes(int v) {
      maxFrameBytes = v;
      return this;
    }

    /** Sets {@code rateLimit}. */
    public Builder rateLimit(int v) {
      rateLimit = v;
      return this;
    }

    /** Sets {@code rateBurst}. */
    public Builder rateBurst(int v) {
      rateBurst = v;
      return this;
    }

    /** Sets {@code publishToken}; null turns publish authentication off. */
    public Builder publishToken(String v) {
      publishToken = v;
      return this;
    }

    /** Sets {@code jwtSecret}; null turns {@code hello} authentication off. */
    public Builder jwtSecret(String v) {
      jwtSecret = v;
      return this;
    }

    /** Sets {@code maxTopics}. */
    public Builder maxTopics(int v) {
      maxTopics = v;
      return this;
    }

    /** Sets {@code maxSubscriptions}. */
    public Builder maxSubscriptions(int v) {
      maxSubscriptions = v;
      return this;
    }

    /** Sets {@code maxSessions}. */
    public Builder maxSessions(int v) {
      maxSessions = v;
      return this;
    }

    /** Sets {@code maxConnections}. */
    public Builder maxConnections(int v) {
      maxConnections = v;
      return this;
    }

    /** Sets {@code maxPublishBytes}. */
    public Builder maxPublishBytes(int v) {
      maxPublishBytes = v;
      return this;
    }

    /** Sets {@code eventLoops}. */
    public Builder eventLoops(int v) {
      eventLoops = v;
      return this;
    }

    /** Sets {@code warnRearmMs}. */
    public Builder warnRearmMs(long v) {
      warnRearmMs = v;
      return this;
    }

    /** Sets {@code apiToken}. */
    public Builder apiToken(String v) {
      apiToken = v;
      return this;
    }

    /** Sets {@code jwtRequireExp}. */
    public Builder jwtRequireExp(boolean v) {
      jwtRequireExp = v;
      return this;
    }

    /** Sets {@code idempotencyWindow}. */
    public Builder idempotencyWindow(int v) {
      idempotencyWindow = v;
      return this;
    }

    /** Sets {@code replayLogBytes}. */
    public Builder replayLogBytes(long v) {
      replayLogBytes = v;
      return this;
    }

    /** Sets {@code topicStateBudgetBytes}. */
    public Builder topicStateBudgetBytes(long v) {
      topicStateBudgetBytes = v;
      return this;
    }

    /** Sets {@code buffer.budgetBytes}. */
    public Builder bufferBudgetBytes(long v) {
      bufferBudgetBytes = v;
      return this;
    }

    /** Sets {@code maxPendingPublishes}. */
    public Builder maxPendingPublishes(int v) {
      maxPendingPublishes = v;
      return this;
    }

    /** Sets {@code metricsToken}. */
    public Builder metricsToken(String v) {
      metricsToken = v;
      return this;
    }

    /** Sets the {@code cluster.*} settings. */
    public Builder cluster(ClusterConfig v) {
      cluster = v;
      return this;
    }



    /** Sets the access settings ({@code jwtPublicKey}, {@code allowedOrigins}, …). */
    public Builder access(AccessConfig v) {
      access = v;
      return this;
    }

    /** Sets {@code log.format}. */
    public Builder logFormat(String v) {
      logFormat = v;
      return this;
    }

    /** Sets the {@code compression.*} settings. */
    public Builder compression(CompressionConfig v) {
      compression = v;
      return this;
    }

    /** Sets {@code log.levels}. */
    public Builder logLevels(String v) {
      logLevels = v;
      return this;
    }

    /** Sets {@code metrics.topics}. */
    public Builder metricsTopics(String v) {
      metricsTopics = v;
      return this;
    }

    /** Sets the {@code quality.*} settings. */
    public Builder quality(QualityThresholds v) {
      quality = v;
      return this;
    }

    /** Sets {@code netTransport}. */
    public Builder netTransport(String v) {
      netTransport = v;
      return this;
    }

    /** Sets {@code publishTimeoutMs}. */
    public Builder publishTimeoutMs(long v) {
      publishTimeoutMs = v;
      return this;
    }

    /** Sets {@code clientOrigins}. */
    public Builder clientOrigins(String v) {
      clientOrigins = v;
      return this;
    }

    /** The configuration; throws {@link IllegalArgumentException} naming a bad setting. */
    public SlipstreamConfig build() {
      return new SlipstreamConfig(
          host,
          port,
          heartbeatMs,
          heartbeatTimeoutMs,
          helloTimeoutMs,
          sessionTtlMs,
          buffer,
          sustainMs,
          replayLogSize,
          maxFrameBytes,
          rateLimit,
          rateBurst,
          publishToken,
          jwtSecret,
          maxTopics,
          maxSubscriptions,
          maxSessions,
          maxConnections,
          maxPublishBytes,
          eventLoops,
          warnRearmMs,
          apiToken,
          jwtRequireExp,
          idempotencyWindow,
          replayLogBytes,
          topicStateBudgetBytes,
          bufferBudgetBytes,
          maxPendingPublishes,
          metricsToken,
          publishTimeoutMs,

          clientOrigins,
          netTransport,
          cluster,
          QosConfig.parse(qosClasses, buffer, sustainMs, compression.enabled()),
          access,
          quality,
          metricsTopics,
          logFormat,
          logLevels,
          compression);
    }
  }
}
