package io.slipstream.server.config;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.core.buffer.TopicPriorities;
import io.slipstream.core.qos.QosClasses;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The table of settings (docs/protocol.md §12): one row per key, giving its type, its meaning, how
 * to read it from a {@link SlipstreamConfig} and how to set it. Every source {@link ConfigLoader}
 * reads (file, system property, environment, {@code --set}) and {@code --help} are driven by this
 * table, so a key is spelled once.
 *
 * <p>Immutable and thread-safe. Adding a field to {@link SlipstreamConfig} means adding a row here
 * and the same line to the README's Settings section ({@code ReadmeSettingsTest} fails until the
 * two agree).
 */
enum Setting {
  HOST("host", Kind.STRING, "address to bind (flag --host)", SlipstreamConfig::host,
      (d, v) -> d.config.host((String) v)),
  PORT("port", Kind.INT, "HTTP, WebSocket and SockJS port; 0 picks a free one (flag --port)",
      SlipstreamConfig::port, (d, v) -> d.config.port((Integer) v)),
  HEARTBEAT_MS("heartbeatMs", Kind.LONG, "server ping interval, ms", SlipstreamConfig::heartbeatMs,
      (d, v) -> d.config.heartbeatMs((Long) v)),
  HEARTBEAT_TIMEOUT_MS("heartbeatTimeoutMs", Kind.LONG,
      "silence before close 4008, ms; above heartbeatMs", SlipstreamConfig::heartbeatTimeoutMs,
      (d, v) -> d.config.heartbeatTimeoutMs((Long) v)),
  HELLO_TIMEOUT_MS("helloTimeoutMs", Kind.LONG,
      "time a new socket has to send hello before close 4004, ms", SlipstreamConfig::helloTimeoutMs,
      (d, v) -> d.config.helloTimeoutMs((Long) v)),
  SESSION_TTL_MS("sessionTtlMs", Kind.LONG, "how long a session outlives its connection, ms",
      SlipstreamConfig::sessionTtlMs, (d, v) -> d.config.sessionTtlMs((Long) v)),
  BUFFER_MAX("buffer.max", Kind.INT, "per-connection buffer bound, events",
      c -> c.buffer().maxEvents(), (d, v) -> d.bufferMax = (Integer) v),
  BUFFER_MAX_BYTES("buffer.maxBytes", Kind.LONG, "per-connection buffer bound, bytes",
      c -> c.buffer().maxBytes(), (d, v) -> d.bufferMaxBytes = (Long) v),
  BUFFER_WARN("buffer.warn", Kind.DOUBLE,
      "buffer fill (0..1) that sends a warning; below buffer.disconnect", c -> c.buffer().warn(),
      (d, v) -> d.bufferWarn = (Double) v),
  BUFFER_DISCONNECT("buffer.disconnect", Kind.DOUBLE,
      "buffer fill (0..1) that, sustained for sustainMs, closes 4001", c -> c.buffer().disconnect(),
      (d, v) -> d.bufferDisconnect = (Double) v),
  BUFFER_POLICY("buffer.policy", Kind.POLICY,
      "what a full buffer does with a live event: drop-oldest, drop-newest, conflate, by-age,"
          + " priority, sample or disconnect",
      c -> c.buffer().policy(), (d, v) -> d.bufferPolicy = (DropPolicy) v),
  BUFFER_MAX_AGE_MS("buffer.maxAgeMs", Kind.LONG,
      "under buffer.policy by-age: events pending longer are dropped at any fill, ms",
      c -> c.buffer().maxAgeMs(), (d, v) -> d.bufferMaxAgeMs = (Long) v),
  BUFFER_PRIORITIES("buffer.priorities", Kind.PRIORITIES,
      "under buffer.policy priority: {\"topic-pattern\": priority, ...}, * a wildcard, first"
          + " match wins, lowest dropped first, unmatched 0; configuration file only",
      c -> c.buffer().priorities(), (d, v) -> d.bufferPriorities = (TopicPriorities) v),
  BUFFER_BUDGET_BYTES("buffer.budgetBytes", Kind.LONG,
      "all connection buffers on this node together, bytes; beyond, the connections furthest"
          + " behind shed their oldest events (dropped reason budget); default a quarter of the"
          + " max heap",
      SlipstreamConfig::bufferBudgetBytes, (d, v) -> d.config.bufferBudgetBytes((Long) v)),
  QOS_CLASSES("qos.classes", Kind.CLASSES,
      "QoS classes by name: {\"realtime\": {\"max\": 200, \"rate\": 50, ...}, ...}, each field"
          + " of max, maxBytes, warn, disconnect, policy, maxAgeMs, sustainMs, rate (events/s),"
          + " askable, compression (true/false), adaptive ({\"min\": 64, \"targetDelayMs\": 2000}:"
          + " the bound holds that long at the client's drain rate, between min and max); unset"
          + " ones are the node's (docs/protocol.md §6)",
      c -> QosConfig.toJson(c.qos(), c.buffer(), c.sustainMs(), c.compression().enabled()),
      (d, v) -> d.config.qosClasses((JsonObject) v)),
  SUSTAIN_MS("sustainMs", Kind.LONG, "how long a condition must last before 4001 or 4029, ms",
      SlipstreamConfig::sustainMs, (d, v) -> d.config.sustainMs((Long) v)),
  REPLAY_LOG_SIZE("replayLogSize", Kind.INT, "replay log length per topic, events",
      SlipstreamConfig::replayLogSize, (d, v) -> d.config.replayLogSize((Integer) v)),
  MAX_FRAME_BYTES("maxFrameBytes", Kind.INT, "largest inbound WebSocket frame, bytes",
      SlipstreamConfig::maxFrameBytes, (d, v) -> d.config.maxFrameBytes((Integer) v)),
  RATE_LIMIT("rateLimit", Kind.INT, "inbound messages per second per connection",
      SlipstreamConfig::rateLimit, (d, v) -> d.config.rateLimit((Integer) v)),
  RATE_BURST("rateBurst", Kind.INT, "inbound burst, messages; at least rateLimit",
      SlipstreamConfig::rateBurst, (d, v) -> d.config.rateBurst((Integer) v)),
  PUBLISH_TOKEN("publishToken", Kind.OPTIONAL_STRING,
      "when set, HTTP publishing needs Authorization: Bearer <token>",
      SlipstreamConfig::publishToken, (d, v) -> d.config.publishToken((String) v)),
  JWT_SECRET("jwtSecret", Kind.OPTIONAL_STRING,
      "when set, hello.token must be an HS256/384/512 JWT signed with it (exp required unless"
          + " jwtRequireExp=false)",
      SlipstreamConfig::jwtSecret, (d, v) -> d.config.jwtSecret((String) v)),
  MAX_TOPICS("maxTopics", Kind.INT, "most topics a node holds", SlipstreamConfig::maxTopics,
      (d, v) -> d.config.maxTopics((Integer) v)),
  MAX_SUBSCRIPTIONS("maxSubscriptions", Kind.INT, "most subscriptions per connection",
      SlipstreamConfig::maxSubscriptions, (d, v) -> d.config.maxSubscriptions((Integer) v)),
  MAX_SESSIONS("maxSessions", Kind.INT, "most sessions a node keeps; at least maxConnections",
      SlipstreamConfig::maxSessions, (d, v) -> d.config.maxSessions((Integer) v)),
  MAX_CONNECTIONS("maxConnections", Kind.INT, "most open connections per node",
      SlipstreamConfig::maxConnections, (d, v) -> d.config.maxConnections((Integer) v)),
  MAX_PUBLISH_BYTES("maxPublishBytes", Kind.INT, "largest HTTP publish body, bytes; 413 above",
      SlipstreamConfig::maxPublishBytes, (d, v) -> d.config.maxPublishBytes((Integer) v)),
  EVENT_LOOPS("eventLoops", Kind.INT,
      "event loops serving connections (server verticle instances); default 1 per processor",
      SlipstreamConfig::eventLoops, (d, v) -> d.config.eventLoops((Integer) v)),
  WARN_REARM_MS("warnRearmMs", Kind.LONG,
      "fill must stay below buffer.warn this long before the next warning, ms",
      SlipstreamConfig::warnRearmMs, (d, v) -> d.config.warnRearmMs((Long) v)),
  API_TOKEN("apiToken", Kind.OPTIONAL_STRING,
      "when set, every GET /api/... needs Authorization: Bearer <token>",
      SlipstreamConfig::apiToken, (d, v) -> d.config.apiToken((String) v)),
  JWT_REQUIRE_EXP("jwtRequireExp", Kind.BOOLEAN, "whether a JWT without exp is refused",
      SlipstreamConfig::jwtRequireExp, (d, v) -> d.config.jwtRequireExp((Boolean) v)),
  IDEMPOTENCY_WINDOW("idempotencyWindow", Kind.INT,
      "Idempotency-Keys remembered per topic (the dedupe window)",
      SlipstreamConfig::idempotencyWindow, (d, v) -> d.config.idempotencyWindow((Integer) v)),
  REPLAY_LOG_BYTES("replayLogBytes", Kind.LONG, "replay log bound per topic, bytes",
      SlipstreamConfig::replayLogBytes, (d, v) -> d.config.replayLogBytes((Long) v)),
  TOPIC_STATE_BUDGET_BYTES("topicStateBudgetBytes", Kind.LONG,
      "all topics' rows and logs on this node, bytes; publishes beyond get 507; default half the"
          + " max heap",
      SlipstreamConfig::topicStateBudgetBytes,
      (d, v) -> d.config.topicStateBudgetBytes((Long) v)),
  MAX_PENDING_PUBLISHES("maxPendingPublishes", Kind.INT,
      "publishes queued or in flight per sequencer; beyond, 503 overloaded",
      SlipstreamConfig::maxPendingPublishes,
      (d, v) -> d.config.maxPendingPublishes((Integer) v)),
  METRICS_TOKEN("metricsToken", Kind.OPTIONAL_STRING,
      "when set, GET /health and /metrics need Authorization: Bearer <token>",
      SlipstreamConfig::metricsToken, (d, v) -> d.config.metricsToken((String) v)),
  PUBLISH_TIMEOUT_MS("publishTimeoutMs", Kind.LONG,
      "how long a publish may wait for its sequencer; then 503 overloaded, never applied, ms",
      SlipstreamConfig::publishTimeoutMs, (d, v) -> d.config.publishTimeoutMs((Long) v)),
  CLIENT_ORIGINS("clientOrigins", Kind.STRING,
      "origins allowed to load /slipstream.js from another origin (CORS): *, or"
          + " scheme://host[:port] entries separated by commas (at most 64)",
      SlipstreamConfig::clientOrigins, (d, v) -> d.config.clientOrigins((String) v)),
  NET_TRANSPORT("netTransport", Kind.STRING,
      "socket I/O: epoll, io_uring (opt-in; epoll, then NIO, where the kernel or sandbox refuses it;"
          + " logged at start) or nio",
      SlipstreamConfig::netTransport, (d, v) -> d.config.netTransport((String) v)),
  CLUSTER_ENABLED("cluster.enabled", Kind.BOOLEAN,
      "join a Hazelcast cluster of nodes (flag --cluster); off runs one node, no Hazelcast",
      c -> c.cluster().enabled(), (d, v) -> d.clusterEnabled = (Boolean) v),
  CLUSTER_HOST("cluster.host", Kind.STRING,
      "address the cluster member binds and announces (flag --cluster-host)",
      c -> c.cluster().host(), (d, v) -> d.clusterHost = (String) v),
  CLUSTER_PORT("cluster.port", Kind.INT, "cluster member port (flag --cluster-port)",
      c -> c.cluster().port(), (d, v) -> d.clusterPort = (Integer) v),
  CLUSTER_MEMBERS("cluster.members", Kind.STRING,
      "members to join, host:port,host:port (flag --cluster-members); TCP-IP, no multicast",
      c -> String.join(",", c.cluster().members()), (d, v) -> d.clusterMembers = (String) v),
  CLUSTER_MIN_MEMBERS("cluster.minMembers", Kind.INT,
      "fewer members and publishes get 503 no-quorum (a 200 is on two copies)",
      c -> c.cluster().minMembers(), (d, v) -> d.clusterMinMembers = (Integer) v),
  CLUSTER_CONFIG("cluster.config", Kind.OPTIONAL_STRING,
      "a Hazelcast XML or YAML file to start the member from",
      c -> c.cluster().hazelcastConfig(), (d, v) -> d.clusterConfig = (String) v),
  CLUSTER_HEARTBEAT_SECONDS("cluster.heartbeatSeconds", Kind.INT,
      "how often cluster members tell each other they live, s",
      c -> c.cluster().heartbeatSeconds(), (d, v) -> d.clusterHeartbeatSeconds = (Integer) v),
  CLUSTER_FAILURE_SECONDS("cluster.failureSeconds", Kind.INT,
      "a member silent this long is removed (a hung node stalls its topics this long), s",
      c -> c.cluster().failureSeconds(), (d, v) -> d.clusterFailureSeconds = (Integer) v),

  JWT_PUBLIC_KEY("jwtPublicKey", Kind.OPTIONAL_STRING,
      "RS256 or ES256 public key for hello.token: PEM text (-----BEGIN PUBLIC KEY-----...) or the"
          + " path of a PEM file",
      c -> c.access().jwtPublicKey(), (d, v) -> d.jwtPublicKey = (String) v),
  JWT_JWKS_FILE("jwtJwksFile", Kind.OPTIONAL_STRING,
      "path of a JWKS file ({\"keys\":[...]}) of RS256, ES256 or HS256/384/512 keys for"
          + " hello.token; a token's kid picks the key",
      c -> c.access().jwtJwksFile(), (d, v) -> d.jwtJwksFile = (String) v),
  JWT_ISSUER("jwtIssuer", Kind.OPTIONAL_STRING, "when set, a JWT's iss must equal it",
      c -> c.access().jwtIssuer(), (d, v) -> d.jwtIssuer = (String) v),
  JWT_AUDIENCE("jwtAudience", Kind.OPTIONAL_STRING,
      "when set, a JWT's aud must be it or an array holding it",
      c -> c.access().jwtAudience(), (d, v) -> d.jwtAudience = (String) v),
  JWT_LEEWAY_MS("jwtLeewayMs", Kind.LONG, "clock skew allowed on a JWT's exp and nbf, ms",
      c -> c.access().jwtLeewayMs(), (d, v) -> d.jwtLeewayMs = (Long) v),
  ALLOWED_ORIGINS("allowedOrigins", Kind.LIST,
      "Origins that may open /ws and /sockjs, e.g. [\"https://*.example.com\"]; others get 403;"
          + " unset allows any; a request without Origin is allowed",
      c -> c.access().allowedOrigins(),
      (d, v) -> d.allowedOrigins = castList(v)),
  MAX_CONNECTIONS_PER_ADDRESS("maxConnectionsPerAddress", Kind.INT,
      "most open connections from one remote address; beyond, /ws gets 429 and SockJS close 1008",
      c -> c.access().maxConnectionsPerAddress(),
      (d, v) -> d.maxConnectionsPerAddress = (Integer) v),
  QUALITY_TICK_MS("quality.tickMs", Kind.LONG,
      "how often each event loop evaluates its connections' quality (10..60000), ms",
      c -> c.quality().tickMs(), (d, v) -> d.qualityTickMs = (Long) v),
  QUALITY_GROWTH_MS("quality.growthMs", Kind.LONG,
      "a connection whose pending events grow this long is lagging, ms",
      c -> c.quality().growthMs(), (d, v) -> d.qualityGrowthMs = (Long) v),
  QUALITY_ACK_LAG_MS("quality.ackLagMs", Kind.LONG,
      "a connection whose ack-lag p99 is above this is lagging, ms",
      c -> c.quality().ackLagMs(), (d, v) -> d.qualityAckLagMs = (Long) v),
  QUALITY_STALL_MS("quality.stallMs", Kind.LONG,
      "a connection whose socket accepted no bytes this long while frames wait is lagging, ms",
      c -> c.quality().stallMs(), (d, v) -> d.qualityStallMs = (Long) v),
  METRICS_TOPICS("metrics.topics", Kind.STRING,
      "topic-name patterns (* a wildcard), comma-separated, whose topics get per-topic meters"
          + " (at most 100 topics); empty for none",
      SlipstreamConfig::metricsTopics, (d, v) -> d.config.metricsTopics((String) v)),
  LOG_FORMAT("log.format", Kind.STRING,
      "json (one object per line), text, or auto: json unless standard error is a terminal",
      SlipstreamConfig::logFormat, (d, v) -> d.config.logFormat((String) v)),
  LOG_LEVELS("log.levels", Kind.STRING,
      "a level per logger and its package, comma-separated: io.slipstream=DEBUG,io.netty=WARN"
          + " (ERROR, WARN, INFO, DEBUG, TRACE); io.micrometer.core.instrument.MeterRegistry is at"
          + " ERROR unless named here (its once-per-node duplicate-gauge warning about Vert.x's own"
          + " gauges)",
      SlipstreamConfig::logLevels, (d, v) -> d.config.logLevels((String) v)),
  COMPRESSION_ENABLED("compression.enabled", Kind.BOOLEAN,
      "permessage-deflate on /ws for clients that offer it, each message compressed on its own;"
          + " the default of every QoS class that does not set compression",
      c -> c.compression().enabled(), (d, v) -> d.compressionEnabled = (Boolean) v),
  COMPRESSION_LEVEL("compression.level", Kind.INT, "deflate level, 1 (fast) to 9 (small)",
      c -> c.compression().level(), (d, v) -> d.compressionLevel = (Integer) v),
  COMPRESSION_MIN_BYTES("compression.minBytes", Kind.INT,
      "messages shorter than this are sent uncompressed, bytes",
      c -> c.compression().minBytes(), (d, v) -> d.compressionMinBytes = (Integer) v);

  private final String key;
  private final Kind kind;
  private final String meaning;
  private final Function<SlipstreamConfig, ?> getter;
  private final BiConsumer<Draft, Object> setter;

  Setting(
      String key,
      Kind kind,
      String meaning,
      Function<SlipstreamConfig, ?> getter,
      BiConsumer<Draft, Object> setter) {
    this.key = key;
    this.kind = kind;
    this.meaning = meaning;
    this.getter = getter;
    this.setter = setter;
  }

  @SuppressWarnings("unchecked")
  private static List<String> castList(Object v) {
    return (List<String>) v;
  }

  /**
   * Whether the setting comes from the configuration file only (a list or a map, contract §10):
   * then a system property, an environment variable or {@code --set} for it is an error.
   */
  boolean fileOnly() {
    return kind.fileOnly();
  }

  /** The key, e.g. {@code buffer.maxBytes}: the name in the file and after {@code --set}. */
  String key() {
    return key;
  }

  /** What the setting means, with its unit. */
  String meaning() {
    return meaning;
  }

  /** The environment variable, e.g. {@code SLIPSTREAM_BUFFER_MAX_BYTES}. */
  String envName() {
    StringBuilder name = new StringBuilder("SLIPSTREAM_");
    for (char c : key.toCharArray()) {
      if (c == '.') {
        name.append('_');
      } else if (Character.isUpperCase(c)) {
        name.append('_').append(c);
      } else {
        name.append(Character.toUpperCase(c));
      }
    }
    return name.toString();
  }

  /** The JVM system property, e.g. {@code slipstream.buffer.maxBytes}. */
  String propertyName() {
    return "slipstream." + key;
  }

  /** This setting's value in {@code config}, typed as {@link #fromText} returns it. */
  Object get(SlipstreamConfig config) {
    return getter.apply(config);
  }

  /** Writes {@code value} (as returned by {@link #fromText} or {@link #fromJson}) into a draft. */
  void set(Draft draft, Object value) {
    setter.accept(draft, value);
  }

  /**
   * Parses a value given as text (system property, environment, flag).
   *
   * @throws IllegalArgumentException a sentence naming the key and the bad value
   */
  Object fromText(String text) {
    return kind.fromText(key, text);
  }

  /**
   * Converts a value decoded from the JSON file; JSON types must match (no numbers in strings).
   *
   * @throws IllegalArgumentException a sentence naming the key and the bad value
   */
  Object fromJson(Object json) {
    return kind.fromJson(key, json);
  }

  /** A value as an operator would write it, e.g. {@code drop-oldest} or {@code unset}. */
  String format(Object value) {
    return kind.format(value);
  }

  /** The setting with this exact key. */
  static Optional<Setting> byKey(String key) {
    for (Setting s : values()) {
      if (s.key.equals(key)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** Whether some key starts with {@code prefix + "."}, i.e. {@code prefix} names a group. */
  static boolean isGroup(String prefix) {
    for (Setting s : values()) {
      if (s.key.startsWith(prefix + ".")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The key an operator probably meant by {@code unknown}: same letters ignoring case, dots and
   * underscores, or at most two edits away.
   */
  static Optional<String> suggest(String unknown) {
    String wanted = normalize(unknown);
    Setting best = null;
    int bestDistance = 3;
    for (Setting s : values()) {
      int d = distance(wanted, normalize(s.key));
      if (d < bestDistance) {
        best = s;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best).map(Setting::key);
  }

  private static String normalize(String key) {
    return key.toLowerCase(Locale.ROOT).replace(".", "").replace("_", "").replace("-", "");
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }

  /**
   * A configuration being assembled from typed values; the buffer fields are kept apart because
   * {@link BufferLimits} validates them together.
   *
   * <p>Mutable and confined to the loading thread.
   */
  static final class Draft {
    final SlipstreamConfig.Builder config = SlipstreamConfig.builder();
    int bufferMax;
    long bufferMaxBytes;
    double bufferWarn;
    double bufferDisconnect;
    DropPolicy bufferPolicy;
    long bufferMaxAgeMs;
    TopicPriorities bufferPriorities;
    boolean clusterEnabled;
    String clusterHost;
    int clusterPort;
    String clusterMembers;
    int clusterMinMembers;
    String clusterConfig;
    int clusterHeartbeatSeconds;
    int clusterFailureSeconds;
    String jwtPublicKey;
    String jwtJwksFile;
    String jwtIssuer;
    String jwtAudience;
    long jwtLeewayMs;
    List<String> allowedOrigins;
    int maxConnectionsPerAddress;
    long qualityTickMs;
    long qualityGrowthMs;
    long qualityAckLagMs;
    long qualityStallMs;
    boolean compressionEnabled;
    int compressionLevel;
    int compressionMinBytes;

    /**
     * The configuration.
     *
     * @throws IllegalArgumentException from the records' validation, starting with the key
     */
    SlipstreamConfig build() {
      return config
          .buffer(
              new BufferLimits(
                  bufferMax,
                  bufferMaxBytes,
                  bufferWarn,
                  bufferDisconnect,
                  bufferPolicy,
                  bufferMaxAgeMs,
                  bufferPriorities))
          .cluster(
              new ClusterConfig(
                  clusterEnabled,
                  clusterHost,
                  clusterPort,
                  ClusterConfig.parseMembers(clusterMembers),
                  clusterMinMembers,
                  clusterConfig,
                  clusterHeartbeatSeconds,
                  clusterFailureSeconds))
          .access(
              new AccessConfig(
                  jwtPublicKey,
                  jwtJwksFile,
                  jwtIssuer,
                  jwtAudience,
                  jwtLeewayMs,
                  allowedOrigins,
                  maxConnectionsPerAddress))
          .quality(
              new QualityThresholds(
                  qualityTickMs, qualityGrowthMs, qualityAckLagMs, qualityStallMs))
          .compression(
              new CompressionConfig(compressionEnabled, compressionLevel, compressionMinBytes))
          .build();
    }
  }

  /** The type of a setting: how it is parsed from text and from JSON, and printed. */
  enum Kind {
    INT {
      @Override
      Object fromText(String key, String text) {
        return (int) wholeNumber(key, parseWhole(key, text), Integer.MIN_VALUE, Integer.MAX_VALUE);
      }

      @Override
      Object fromJson(String key, Object json) {
        return (int) wholeNumber(key, jsonWhole(key, json), Integer.MIN_VALUE, Integer.MAX_VALUE);
      }
    },
    LONG {
      @Override
      Object fromText(String key, String text) {
        return wholeNumber(key, parseWhole(key, text), Long.MIN_VALUE, Long.MAX_VALUE);
      }

      @Override
      Object fromJson(String key, Object json) {
        return wholeNumber(key, jsonWhole(key, json), Long.MIN_VALUE, Long.MAX_VALUE);
      }
    },
    DOUBLE {
      @Override
      Object fromText(String key, String text) {
        String t = text.trim();
        if (!DECIMAL.matcher(t).matches()) {
          throw invalid(key, "a number", describe(text));
        }
        return Double.parseDouble(t);
      }

      @Override
      Object fromJson(String key, Object json) {
        if (!(json instanceof Number)) {
          throw invalid(key, "a number", describe(json));
        }
        double d = ((Number) json).doubleValue();
        if (!Double.isFinite(d)) {
          throw invalid(key, "a finite number", describe(json));
        }
        return d;
      }
    },
    BOOLEAN {
      @Override
      Object fromText(String key, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("true") || t.equals("false")) {
          return Boolean.valueOf(t);
        }
        throw invalid(key, "true or false", describe(text));
      }

      @Override
      Object fromJson(String key, Object json) {
        if (!(json instanceof Boolean)) {
          throw invalid(key, "true or false", describe(json));
        }
        return json;
      }
    },
    STRING {
      @Override
      Object fromText(String key, String text) {
        return text;
      }

      @Override
      Object fromJson(String key, Object json) {
        if (!(json instanceof String)) {
          throw invalid(key, "a string", describe(json));
        }
        return json;
      }
    },
    /** A string that may be unset: JSON {@code null} unsets it. */
    OPTIONAL_STRING {
      @Override
      Object fromText(String key, String text) {
        return text;
      }

      @Override
      Object fromJson(String key, Object json) {
        if (json != null && !(json instanceof String)) {
          throw invalid(key, "a string or null", describe(json));
        }
        return json;
      }

      @Override
      String format(Object value) {
        return value == null ? "unset" : "set";
      }
    },
    /** A JSON array of strings, from the file only ({@link FileOnly}); JSON null unsets it. */
    LIST(true) { // file only
      @Override
      Object fromText(String key, String text) {
        throw FileOnly.fromText(key, "a JSON array of strings");
      }

      @Override
      Object fromJson(String key, Object json) {
        return FileOnly.list(key, json);
      }

      @Override
      String format(Object value) {
        return FileOnly.format(value);
      }
    },
    /**
     * QoS classes: a JSON object of class names to objects, from the file only ({@link FileOnly});
     * checked field by field by {@link QosConfig} when the configuration is built.
     */
    CLASSES(true) { // file only
      @Override
      Object fromText(String key, String text) {
        throw FileOnly.fromText(key, "a JSON object of classes");
      }

      @Override
      Object fromJson(String key, Object json) {
        if (json == null) {
          return null;
        }
        if (!(json instanceof JsonObject)) {
          throw invalid(key, "a JSON object of QoS classes by name", describe(json));
        }
        if (((JsonObject) json).size() > QosClasses.MAX_CLASSES) {
          throw invalid(key, "at most " + QosClasses.MAX_CLASSES + " classes", describe(json));
        }
        return ((JsonObject) json).copy();
      }

      @Override
      String format(Object value) {
        return value == null ? "standard only" : ((JsonObject) value).encode();
      }
    },
    /** A JSON object of names to scalars, from the file only ({@link FileOnly}); in file order. */
    MAP(true) { // file only
      @Override
      Object fromText(String key, String text) {
        throw FileOnly.fromText(key, "a JSON object");
      }

      @Override
      Object fromJson(String key, Object json) {
        return FileOnly.map(key, json);
      }

      @Override
      String format(Object value) {
        return FileOnly.format(value);
      }
    },
    POLICY {
      @Override
      Object fromText(String key, String text) {
        return DropPolicy.fromWireName(text.trim())
            .orElseThrow(
                () ->
                    invalid(
                        key,
                        "one of "
                            + Arrays.stream(DropPolicy.values())
                                .map(DropPolicy::wireName)
                                .collect(Collectors.joining(", ")),
                        describe(text)));
      }

      @Override
      Object fromJson(String key, Object json) {
        if (!(json instanceof String)) {
          throw invalid(key, "a policy name string such as \"drop-oldest\"", describe(json));
        }
        return fromText(key, (String) json);
      }

      @Override
      String format(Object value) {
        return ((DropPolicy) value).wireName();
      }
    },
    /** Topic-name patterns to whole-number priorities: a JSON object, from the file only. */
    PRIORITIES(true) { // file only
      @Override
      Object fromText(String key, String text) {
        throw new IllegalArgumentException(
            key
                + " is a map of topic patterns to priorities and comes from the configuration file"
                + " only, was given as text "
                + describe(text));
      }

      @Override
      Object fromJson(String key, Object json) {
        if (!(json instanceof JsonObject)) {
          throw invalid(key, "an object of topic patterns to whole numbers", describe(json));
        }
        LinkedHashMap<String, Integer> rules = new LinkedHashMap<>();
        for (var e : (JsonObject) json) {
          Object v = e.getValue();
          rules.put(
              e.getKey(),
              v == null
                  ? null
                  : (int)
                      wholeNumber(
                          key + "." + e.getKey(),
                          jsonWhole(key + "." + e.getKey(), v),
                          Integer.MIN_VALUE,
                          Integer.MAX_VALUE));
        }
        return TopicPriorities.of(rules);
      }

      @Override
      String format(Object value) {
        return new JsonObject(new LinkedHashMap<>(((TopicPriorities) value).asMap())).encode();
      }
    };

    private static final Pattern DECIMAL =
        Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
    private static final Pattern WHOLE = Pattern.compile("[-+]?\\d+");

    private final boolean fileOnly;

    Kind() {
      this(false);
    }

    Kind(boolean fileOnly) {
      this.fileOnly = fileOnly;
    }

    abstract Object fromText(String key, String text);

    abstract Object fromJson(String key, Object json);

    /** Whether values of this kind come from the configuration file only (maps and lists). */
    final boolean fileOnly() {
      return fileOnly;
    }

    String format(Object value) {
      return String.valueOf(value);
    }

    private static BigInteger parseWhole(String key, String text) {
      String t = text.trim();
      if (!WHOLE.matcher(t).matches()) {
        throw invalid(key, "a whole number", describe(text));
      }
      return new BigInteger(t);
    }

    private static BigInteger jsonWhole(String key, Object json) {
      if (json instanceof Integer
          || json instanceof Long
          || json instanceof Short
          || json instanceof Byte) {
        return BigInteger.valueOf(((Number) json).longValue());
      }
      if (json instanceof BigInteger) {
        return (BigInteger) json;
      }
      if (json instanceof Number) {
        // 1e4 or 15000.0 decode as floating point; accept them when they are whole.
        try {
          return new BigDecimal(json.toString()).toBigIntegerExact();
        } catch (ArithmeticException | NumberFormatException e) {
          throw invalid(key, "a whole number", describe(json));
        }
      }
      throw invalid(key, "a whole number", describe(json));
    }

    private static long wholeNumber(String key, BigInteger value, long min, long max) {
      if (value.compareTo(BigInteger.valueOf(min)) < 0
          || value.compareTo(BigInteger.valueOf(max)) > 0) {
        throw new IllegalArgumentException(
            key + " must be a whole number from " + min + " to " + max + ", was " + value);
      }
      return value.longValue();
    }

    private static IllegalArgumentException invalid(String key, String expected, String was) {
      return new IllegalArgumentException(key + " must be " + expected + ", was " + was);
    }

    /** A value as it appeared in the input: strings quoted, JSON objects and arrays as JSON. */
    static String describe(Object value) {
      if (value == null) {
        return "null";
      }
      if (value instanceof String) {
        return '"' + (String) value + '"';
      }
      if (value instanceof JsonObject) {
        return ((JsonObject) value).encode();
      }
      if (value instanceof JsonArray) {
        return ((JsonArray) value).encode();
      }
      return value.toString();
    }
  }
}
