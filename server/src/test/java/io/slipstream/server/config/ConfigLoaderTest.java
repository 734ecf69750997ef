package io.slipstream.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.server.testing.JwtTokens;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

  @TempDir Path dir;

  /**
   * The settings of docs/protocol.md §12 and the README's settings table, written out independently
   * of {@link Setting}: key, environment variable, a non-default value as text and as JSON, and the
   * field it must land in.
   */
  static Stream<Arguments> keys() {
    return Stream.of(
        key("host", "SLIPSTREAM_HOST", "127.0.0.1", "127.0.0.1", SlipstreamConfig::host),
        key("port", "SLIPSTREAM_PORT", "9001", 9001, SlipstreamConfig::port),
        key("heartbeatMs", "SLIPSTREAM_HEARTBEAT_MS", "1000", 1000L, SlipstreamConfig::heartbeatMs),
        key(
            "heartbeatTimeoutMs",
            "SLIPSTREAM_HEARTBEAT_TIMEOUT_MS",
            "45000",
            45_000L,
            SlipstreamConfig::heartbeatTimeoutMs),
        key(
            "helloTimeoutMs",
            "SLIPSTREAM_HELLO_TIMEOUT_MS",
            "500",
            500L,
            SlipstreamConfig::helloTimeoutMs),
        key("sessionTtlMs", "SLIPSTREAM_SESSION_TTL_MS", "0", 0L, SlipstreamConfig::sessionTtlMs),
        key("buffer.max", "SLIPSTREAM_BUFFER_MAX", "100", 100, c -> c.buffer().maxEvents()),
        key(
            "buffer.maxBytes",
            "SLIPSTREAM_BUFFER_MAX_BYTES",
            "4096",
            4096L,
            c -> c.buffer().maxBytes()),
        key("buffer.warn", "SLIPSTREAM_BUFFER_WARN", "0.5", 0.5, c -> c.buffer().warn()),
        key(
            "buffer.disconnect",
            "SLIPSTREAM_BUFFER_DISCONNECT",
            "0.9",
            0.9,
            c -> c.buffer().disconnect()),
        key(
            "buffer.policy",
            "SLIPSTREAM_BUFFER_POLICY",
            "drop-newest",
            DropPolicy.DROP_NEWEST,
            c -> c.buffer().policy()),
        key("buffer.maxAgeMs", "SLIPSTREAM_BUFFER_MAX_AGE_MS", "750", 750L,
            c -> c.buffer().maxAgeMs()),
        key("sustainMs", "SLIPSTREAM_SUSTAIN_MS", "250", 250L, SlipstreamConfig::sustainMs),
        key(
            "replayLogSize",
            "SLIPSTREAM_REPLAY_LOG_SIZE",
            "10",
            10,
            SlipstreamConfig::replayLogSize),
        key(
            "maxFrameBytes",
            "SLIPSTREAM_MAX_FRAME_BYTES",
            "1024",
            1024,
            SlipstreamConfig::maxFrameBytes),
        key("rateLimit", "SLIPSTREAM_RATE_LIMIT", "10", 10, SlipstreamConfig::rateLimit),
        key("rateBurst", "SLIPSTREAM_RATE_BURST", "200", 200, SlipstreamConfig::rateBurst),
        key(
            "publishToken",
            "SLIPSTREAM_PUBLISH_TOKEN",
            "tok",
            "tok",
            SlipstreamConfig::publishToken),
        key("jwtSecret", "SLIPSTREAM_JWT_SECRET", "sec", "sec", SlipstreamConfig::jwtSecret),
        key("maxTopics", "SLIPSTREAM_MAX_TOPICS", "5", 5, SlipstreamConfig::maxTopics),
        key(
            "maxSubscriptions",
            "SLIPSTREAM_MAX_SUBSCRIPTIONS",
            "3",
            3,
            SlipstreamConfig::maxSubscriptions),
        key(
            "maxSessions",
            "SLIPSTREAM_MAX_SESSIONS",
            "150000",
            150_000,
            SlipstreamConfig::maxSessions),
        key(
            "maxConnections",
            "SLIPSTREAM_MAX_CONNECTIONS",
            "9",
            9,
            SlipstreamConfig::maxConnections),
        key(
            "maxPublishBytes",
            "SLIPSTREAM_MAX_PUBLISH_BYTES",
            "2048",
            2048,
            SlipstreamConfig::maxPublishBytes),
        key("eventLoops", "SLIPSTREAM_EVENT_LOOPS", "3", 3, SlipstreamConfig::eventLoops),
        key("warnRearmMs", "SLIPSTREAM_WARN_REARM_MS", "0", 0L, SlipstreamConfig::warnRearmMs),
        key("apiToken", "SLIPSTREAM_API_TOKEN", "api", "api", SlipstreamConfig::apiToken),
        key(
            "jwtRequireExp",
            "SLIPSTREAM_JWT_REQUIRE_EXP",
            "false",
            false,
            SlipstreamConfig::jwtRequireExp),
        key(
            "idempotencyWindow",
            "SLIPSTREAM_IDEMPOTENCY_WINDOW",
            "7",
            7,
            SlipstreamConfig::idempotencyWindow),
        key(
            "replayLogBytes",
            "SLIPSTREAM_REPLAY_LOG_BYTES",
            "4096",
            4096L,
            SlipstreamConfig::replayLogBytes),
        key(
            "topicStateBudgetBytes",
            "SLIPSTREAM_TOPIC_STATE_BUDGET_BYTES",
            "2097152",
            2_097_152L,
            SlipstreamConfig::topicStateBudgetBytes),
        key(
            "buffer.budgetBytes",
            "SLIPSTREAM_BUFFER_BUDGET_BYTES",
            "131072",
            131_072L,
            SlipstreamConfig::bufferBudgetBytes),
        key(
            "maxPendingPublishes",
            "SLIPSTREAM_MAX_PENDING_PUBLISHES",
            "8",
            8,
            SlipstreamConfig::maxPendingPublishes),
        key(
            "metricsToken",
            "SLIPSTREAM_METRICS_TOKEN",
            "met",
            "met",
            SlipstreamConfig::metricsToken),
        key(
            "publishTimeoutMs",
            "SLIPSTREAM_PUBLISH_TIMEOUT_MS",
            "250",
            250L,
            SlipstreamConfig::publishTimeoutMs),
        key("clientOrigins", "SLIPSTREAM_CLIENT_ORIGINS", "https://a.example,http://b:8080",
            "https://a.example,http://b:8080", SlipstreamConfig::clientOrigins),
        key("netTransport", "SLIPSTREAM_NET_TRANSPORT", "io_uring", "io_uring",
            SlipstreamConfig::netTransport),
        key("cluster.enabled", "SLIPSTREAM_CLUSTER_ENABLED", "true", true,
            c -> c.cluster().enabled()),
        key(
            "cluster.host",
            "SLIPSTREAM_CLUSTER_HOST",
            "10.0.0.7",
            "10.0.0.7",
            c -> c.cluster().host()),
        key("cluster.port", "SLIPSTREAM_CLUSTER_PORT", "5801", 5801, c -> c.cluster().port()),
        key(
            "cluster.members",
            "SLIPSTREAM_CLUSTER_MEMBERS",
            "a:5701,b:5702",
            "a:5701,b:5702",
            c -> String.join(",", c.cluster().members())),
        key(
            "cluster.minMembers",
            "SLIPSTREAM_CLUSTER_MIN_MEMBERS",
            "3",
            3,
            c -> c.cluster().minMembers()),
        key(
            "cluster.config",
            "SLIPSTREAM_CLUSTER_CONFIG",
            "hz.yaml",
            "hz.yaml",
            c -> c.cluster().hazelcastConfig()),
        key(
            "cluster.heartbeatSeconds",
            "SLIPSTREAM_CLUSTER_HEARTBEAT_SECONDS",
            "2",
            2,
            c -> c.cluster().heartbeatSeconds()),

        key(
            "cluster.failureSeconds",
            "SLIPSTREAM_CLUSTER_FAILURE_SECONDS",
            "9",
            9,
            c -> c.cluster().failureSeconds()),
        key(
            "jwtPublicKey",
            "SLIPSTREAM_JWT_PUBLIC_KEY",
            JwtTokens.RSA_PEM,
            JwtTokens.RSA_PEM,
            c -> c.access().jwtPublicKey()),
        key(
            "jwtJwksFile",
            "SLIPSTREAM_JWT_JWKS_FILE",
            JwtTokens.JWKS_FILE,
            JwtTokens.JWKS_FILE,
            c -> c.access().jwtJwksFile()),
        key(
            "jwtIssuer",
            "SLIPSTREAM_JWT_ISSUER",
            "https://id.example",
            "https://id.example",
            c -> c.access().jwtIssuer()),
        key(
            "jwtAudience",
            "SLIPSTREAM_JWT_AUDIENCE",
            "slipstream",
            "slipstream",
            c -> c.access().jwtAudience()),
        key("jwtLeewayMs", "SLIPSTREAM_JWT_LEEWAY_MS", "0", 0L, c -> c.access().jwtLeewayMs()),
        key(
            "maxConnectionsPerAddress",
            "SLIPSTREAM_MAX_CONNECTIONS_PER_ADDRESS",
            "4",
            4,
            c -> c.access().maxConnectionsPerAddress()),
        key("quality.tickMs", "SLIPSTREAM_QUALITY_TICK_MS", "250", 250L,
            c -> c.quality().tickMs()),
        key("quality.growthMs", "SLIPSTREAM_QUALITY_GROWTH_MS", "500", 500L,
            c -> c.quality().growthMs()),
        key("quality.ackLagMs", "SLIPSTREAM_QUALITY_ACK_LAG_MS", "700", 700L,
            c -> c.quality().ackLagMs()),
        key("quality.stallMs", "SLIPSTREAM_QUALITY_STALL_MS", "900", 900L,
            c -> c.quality().stallMs()),
        key("metrics.topics", "SLIPSTREAM_METRICS_TOPICS", "orders.*,ticks", "orders.*,ticks",
            SlipstreamConfig::metricsTopics),
        key("log.format", "SLIPSTREAM_LOG_FORMAT", "text", "text", SlipstreamConfig::logFormat),
        key("log.levels", "SLIPSTREAM_LOG_LEVELS", "io.netty=WARN", "io.netty=WARN",
            SlipstreamConfig::logLevels),
        key("compression.enabled", "SLIPSTREAM_COMPRESSION_ENABLED", "true", true,
            c -> c.compression().enabled()),
        key("compression.level", "SLIPSTREAM_COMPRESSION_LEVEL", "9", 9,
            c -> c.compression().level()),
        key("compression.minBytes", "SLIPSTREAM_COMPRESSION_MIN_BYTES", "64", 64,
            c -> c.compression().minBytes()));
  }

  /** The settings read from the file only (contract §10): key and environment variable. */
  static Stream<Arguments> fileOnlyKeys() {
    return Stream.of(
        Arguments.of("allowedOrigins", "SLIPSTREAM_ALLOWED_ORIGINS"),
        Arguments.of("buffer.priorities", "SLIPSTREAM_BUFFER_PRIORITIES"),
        Arguments.of("qos.classes", "SLIPSTREAM_QOS_CLASSES"));
  }

  private static Arguments key(
      String key,
      String env,
      String text,
      Object expected,
      Function<SlipstreamConfig, Object> field) {
    return Arguments.of(key, env, text, expected, field);
  }

  private static Object json(Object expected) {
    return expected instanceof DropPolicy ? ((DropPolicy) expected).wireName() : expected;
  }

  private static SlipstreamConfig load(
      List<String> args, Map<String, String> env, Map<String, String> props) {
    return ConfigLoader.load(args, env, props);
  }

  private static SlipstreamConfig load(String... args) {
    return load(List.of(args), Map.of(), Map.of());
  }

  private Path file(String content) throws IOException {
    Path f = Files.createTempFile(dir, "slipstream", ".json");
    Files.writeString(f, content, StandardCharsets.UTF_8);
    return f;
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertFails(
      Runnable load, String setting) {
    try {
      load.run();
    } catch (ConfigException e) {
      assertThat(e.setting()).as("setting of: %s", e.getMessage()).isEqualTo(setting);
      return assertThat((Throwable) e).hasMessageContaining(setting);
    }
    throw new AssertionError("expected a ConfigException naming " + setting);
  }

  @Test
  void theTableCoversEverySetting() {
    assertThat(Stream.concat(keys(), fileOnlyKeys()).map(a -> (String) a.get()[0]))
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(Setting.values()).map(Setting::key).collect(Collectors.toList()));
  }

  /** Maps and lists come from the configuration file only (contract §10). */
  @Nested
  class FileOnlyMaps {

    @Test
    void topicPrioritiesAreReadFromTheFileInOrder() throws IOException {
      Path f =
          file(
              "{\"buffer\": {\"policy\": \"priority\","
                  + " \"priorities\": {\"orders.*\": 5, \"*\": -1}}}");
      SlipstreamConfig c = load("--config", f.toString());
      assertThat(c.buffer().policy()).isEqualTo(DropPolicy.PRIORITY);
      assertThat(c.buffer().priorities().priorityOf("orders.eu")).isEqualTo(5);
      assertThat(c.buffer().priorities().priorityOf("telemetry")).isEqualTo(-1);
      Path dotted = file("{\"buffer.priorities\": {\"a\": 1}}");
      assertThat(load("--config", dotted.toString()).buffer().priorities().priorityOf("a"))
          .isEqualTo(1);
    }

    @Test
    void aMapGivenAnywhereButTheFileStopsTheServer() {
      assertFails(
              () ->
                  load(List.of(), Map.of("SLIPSTREAM_BUFFER_PRIORITIES", "{\"a\":1}"), Map.of()),
              "buffer.priorities")
          .hasMessageContaining("configuration file only")
          .hasMessageContaining("environment variable SLIPSTREAM_BUFFER_PRIORITIES");
      assertFails(
              () -> load(List.of(), Map.of(), Map.of("slipstream.buffer.priorities", "a=1")),
              "buffer.priorities")
          .hasMessageContaining("configuration file only");
      assertFails(() -> load("--set", "buffer.priorities=a=1"), "buffer.priorities")
          .hasMessageContaining("configuration file only");
    }

    @Test
    void badPrioritiesNameTheKey() throws IOException {
      Path notAnObject = file("{\"buffer\": {\"priorities\": [1]}}");
      assertFails(() -> load("--config", notAnObject.toString()), "buffer.priorities")
          .hasMessageContaining("[1]");
      Path fraction = file("{\"buffer\": {\"priorities\": {\"a\": 1.5}}}");
      assertFails(() -> load("--config", fraction.toString()), "buffer.priorities")
          .hasMessageContaining("buffer.priorities.a");
      Path badPattern = file("{\"buffer\": {\"priorities\": {\"a b\": 1}}}");
      assertFails(() -> load("--config", badPattern.toString()), "buffer.priorities")
          .hasMessageContaining("\"a b\"");
    }

    @Test
    void helpListsTheMapAsFileOnly() {
      assertThat(ConfigLoader.usage().lines())
          .anySatisfy(
              l -> assertThat(l).matches("buffer\\.priorities +\\(file only\\) +\\{\\} .*"));
    }
  }

  @Nested
  class EveryKey {

    @ParameterizedTest(name = "{1}")
    @MethodSource("io.slipstream.server.config.ConfigLoaderTest#keys")
    void isReadFromItsEnvironmentVariable(
        String key, String env, String text, Object expected, Function<SlipstreamConfig, Object> f) {
      SlipstreamConfig c = load(List.of(), Map.of(env, text), Map.of());

      assertThat(f.apply(c)).isEqualTo(expected).isNotEqualTo(f.apply(SlipstreamConfig.defaults()));
      assertThat(Setting.byKey(key).orElseThrow().envName()).isEqualTo(env);
    }

    @ParameterizedTest(name = "slipstream.{0}")
    @MethodSource("io.slipstream.server.config.ConfigLoaderTest#keys")
    void isReadFromItsSystemProperty(
        String key, String env, String text, Object expected, Function<SlipstreamConfig, Object> f) {
      SlipstreamConfig c = load(List.of(), Map.of(), Map.of("slipstream." + key, text));

      assertThat(f.apply(c)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "--set {0}")
    @MethodSource("io.slipstream.server.config.ConfigLoaderTest#keys")
    void isReadFromSet(
        String key, String env, String text, Object expected, Function<SlipstreamConfig, Object> f) {
      assertThat(f.apply(load("--set", key + "=" + text))).isEqualTo(expected);
      assertThat(f.apply(load("--set=" + key + "=" + text))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "\"{0}\" in a file")
    @MethodSource("io.slipstream.server.config.ConfigLoaderTest#keys")
    void isReadFromAFileDotted(
        String key, String env, String text, Object expected, Function<SlipstreamConfig, Object> f)
        throws IOException {
      Path file = file(new JsonObject().put(key, json(expected)).encode());

      assertThat(f.apply(load("--config", file.toString()))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} nested in a file")
    @MethodSource("io.slipstream.server.config.ConfigLoaderTest#keys")
    void isReadFromAFileNested(
        String key, String env, String text, Object expected, Function<SlipstreamConfig, Object> f)
        throws IOException {
      String[] parts = key.split("\\.");
      JsonObject json = new JsonObject().put(parts[parts.length - 1], json(expected));
      for (int i = parts.length - 2; i >= 0; i--) {
        json = new JsonObject().put(parts[i], json);
      }
      Path file = file(json.encode());

      assertThat(f.apply(load("--config", file.toString()))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} in --help")
    @MethodSource("io.slipstream.server.config.ConfigLoaderTest#keys")
    void isListedInTheUsageWithItsEnvironmentVariable(String key, String env) {
      assertThat(ConfigLoader.usage().lines())
          .anySatisfy(
              line -> assertThat(line).startsWith(key + " ").contains(" " + env + " "));
    }
  }

  @Nested
  class Precedence {

    @Test
    void withNothingGivenTheDefaultsApply() {
      assertThat(load()).isEqualTo(SlipstreamConfig.defaults());
    }

    @Test
    void fileBeatsDefaults() throws IOException {
      Path f = file("{\"port\": 1001}");

      assertThat(load("--config", f.toString()).port()).isEqualTo(1001);
    }

    @Test
    void systemPropertyBeatsFile() throws IOException {
      Path f = file("{\"port\": 1001}");

      SlipstreamConfig c =
          load(List.of("--config", f.toString()), Map.of(), Map.of("slipstream.port", "1002"));

      assertThat(c.port()).isEqualTo(1002);
    }

    @Test
    void environmentBeatsSystemProperty() throws IOException {
      Path f = file("{\"port\": 1001}");

      SlipstreamConfig c =
          load(
              List.of("--config", f.toString()),
              Map.of("SLIPSTREAM_PORT", "1003"),
              Map.of("slipstream.port", "1002"));

      assertThat(c.port()).isEqualTo(1003);
    }

    @Test
    void flagsBeatEnvironment() throws IOException {
      Path f = file("{\"port\": 1001}");
      Map<String, String> env = Map.of("SLIPSTREAM_PORT", "1003");
      Map<String, String> props = Map.of("slipstream.port", "1002");

      assertThat(load(List.of("--config", f.toString(), "--port", "1004"), env, props).port())
          .isEqualTo(1004);
      assertThat(load(List.of("--port=1004"), env, props).port()).isEqualTo(1004);
      assertThat(load(List.of("--set", "port=1005"), env, props).port()).isEqualTo(1005);
    }

    @Test
    void amongFlagsTheLastWins() {
      assertThat(load("--port", "1", "--set", "port=2").port()).isEqualTo(2);
      assertThat(load("--set", "port=2", "--port", "1").port()).isEqualTo(1);
      assertThat(load("--host", "a", "--host", "b").host()).isEqualTo("b");
    }

    @Test
    void sourcesMergeKeyByKey() throws IOException {
      Path f = file("{\"buffer\": {\"max\": 100, \"warn\": 0.5}, \"heartbeatMs\": 1000}");

      SlipstreamConfig c =
          load(
              List.of("--config", f.toString(), "--set", "buffer.policy=disconnect"),
              Map.of("SLIPSTREAM_BUFFER_MAX", "200"),
              Map.of("slipstream.buffer.maxBytes", "4096"));

      assertThat(c.buffer().maxEvents()).isEqualTo(200);
      assertThat(c.buffer().maxBytes()).isEqualTo(4096);
      assertThat(c.buffer().warn()).isEqualTo(0.5);
      assertThat(c.buffer().disconnect()).isEqualTo(0.95);
      assertThat(c.buffer().policy()).isEqualTo(DropPolicy.DISCONNECT);
      assertThat(c.heartbeatMs()).isEqualTo(1000);
      assertThat(c.heartbeatTimeoutMs()).isEqualTo(30_000);
    }

    @Test
    void crossChecksApplyToTheMergedResult() {
      // heartbeatTimeoutMs must exceed heartbeatMs: the two come from different sources.
      SlipstreamConfig c =
          load(
              List.of("--set", "heartbeatTimeoutMs=90000"),
              Map.of("SLIPSTREAM_HEARTBEAT_MS", "60000"),
              Map.of());

      assertThat(c.heartbeatMs()).isEqualTo(60_000);
      assertThat(c.heartbeatTimeoutMs()).isEqualTo(90_000);
    }
  }

  @Nested
  class Validation {

    @Test
    void aNonNumberNamesTheKeyTheValueAndTheEnvironmentVariable() {
      assertFails(() -> load(List.of(), Map.of("SLIPSTREAM_PORT", "abc"), Map.of()), "port")
          .hasMessage(
              "port must be a whole number, was \"abc\" (environment variable SLIPSTREAM_PORT)");
    }

    @Test
    void anOutOfRangeValueNamesTheKeyTheValueAndTheSystemProperty() {
      assertFails(
              () -> load(List.of(), Map.of(), Map.of("slipstream.port", "70000")), "port")
          .hasMessage(
              "port must be 0..65535 (0 picks a free port), was 70000"
                  + " (system property slipstream.port)");
    }

    @Test
    void aValueBeyondIntNamesTheKeyAndTheValue() {
      assertFails(() -> load("--set", "maxTopics=3000000000"), "maxTopics")
          .hasMessageContaining("3000000000")
          .hasMessageContaining("flag --set maxTopics");
    }

    @Test
    void aCrossCheckNamesTheKeyTheValueAndItsSource() {
      assertFails(
              () ->
                  load(List.of(), Map.of("SLIPSTREAM_HEARTBEAT_TIMEOUT_MS", "1000"), Map.of()),
              "heartbeatTimeoutMs")
          .hasMessage(
              "heartbeatTimeoutMs must be greater than heartbeatMs (15000), was 1000"
                  + " (environment variable SLIPSTREAM_HEARTBEAT_TIMEOUT_MS)");
    }

    @Test
    void rateBurstBelowRateLimitIsRejected() {
      assertFails(() -> load("--set", "rateLimit=200"), "rateBurst")
          .hasMessageContaining("rateBurst must be at least rateLimit (200), was 100");
    }

    @Test
    void bufferChecksFromCoreNameTheBufferKey() {
      assertFails(
              () -> load(List.of(), Map.of(), Map.of("slipstream.buffer.warn", "0.99")),
              "buffer.warn")
          .hasMessageContaining("0.99")
          .hasMessageEndingWith("(system property slipstream.buffer.warn)");
      assertFails(() -> load("--set", "buffer.disconnect=1.5"), "buffer.disconnect")
          .hasMessageContaining("1.5");
      assertFails(() -> load("--set", "buffer.max=0"), "buffer.max").hasMessageContaining("0");
    }

    @Test
    void anUnknownPolicyListsTheKnownOnes() {
      assertFails(
              () -> load(List.of(), Map.of("SLIPSTREAM_BUFFER_POLICY", "newest"), Map.of()),
              "buffer.policy")
          .hasMessageContaining("\"newest\"")
          .hasMessageContaining("drop-oldest, drop-newest");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "drop-oldest", "drop-newest", "conflate", "by-age", "priority", "sample", "disconnect"
        })
    void everyPolicyIsAccepted(String policy) {
      assertThat(load("--set", "buffer.policy=" + policy).buffer().policy().wireName())
          .isEqualTo(policy);
    }

    @Test
    void aMaxAgeBelowOneMsNamesTheKey() {
      assertFails(() -> load("--set", "buffer.maxAgeMs=0"), "buffer.maxAgeMs")
          .hasMessageContaining("0");
    }

    @Test
    void aFractionWhereAWholeNumberIsExpectedIsRejected() {
      assertFails(() -> load("--set", "heartbeatMs=1.5"), "heartbeatMs")
          .hasMessageContaining("whole number, was \"1.5\"");
    }

    @Test
    void anEmptySecretIsRejected() {
      assertFails(
          () -> load(List.of(), Map.of("SLIPSTREAM_PUBLISH_TOKEN", ""), Map.of()),
          "publishToken");
    }

    @Test
    void numbersMayBeSurroundedBySpaces() {
      assertThat(load(List.of(), Map.of("SLIPSTREAM_PORT", " 9000 "), Map.of()).port())
          .isEqualTo(9000);
    }

    @Test
    void aBadValueFailsEvenWhenALaterSourceOverridesIt() {
      assertFails(
          () ->
              load(
                  List.of("--port", "9000"),
                  Map.of("SLIPSTREAM_PORT", "http://10.0.0.1:8080"),
                  Map.of()),
          "port");
    }

    @Test
    void unknownVariablesAndPropertiesAreIgnored() {
      // Kubernetes injects SLIPSTREAM_SERVICE_HOST and friends for a service named slipstream.
      SlipstreamConfig c =
          load(
              List.of(),
              Map.of("SLIPSTREAM_SERVICE_HOST", "10.0.0.1", "SLIPSTREAM_HOME", "/opt"),
              Map.of("slipstream.unknown", "1"));

      assertThat(c).isEqualTo(SlipstreamConfig.defaults());
    }
  }

  @Nested
  class ConfigFile {

    @Test
    void nestedAndDottedKeysMix() throws IOException {
      Path f = file("{\"buffer\": {\"max\": 100}, \"buffer.maxBytes\": 2048, \"port\": 0}");

      SlipstreamConfig c = load("--config", f.toString());

      assertThat(c.buffer().maxEvents()).isEqualTo(100);
      assertThat(c.buffer().maxBytes()).isEqualTo(2048);
      assertThat(c.port()).isZero();
    }

    @Test
    void wholeNumbersMayBeWrittenAsFloatingPoint() throws IOException {
      Path f = file("{\"heartbeatMs\": 1e3, \"port\": 9000.0}");

      SlipstreamConfig c = load("--config", f.toString());

      assertThat(c.heartbeatMs()).isEqualTo(1000);
      assertThat(c.port()).isEqualTo(9000);
    }

    @Test
    void nullUnsetsAnOptionalSetting() throws IOException {
      Path f = file("{\"publishToken\": null}");

      assertThat(
              load(
                      List.of("--config", f.toString()),
                      Map.of(),
                      Map.of())
                  .publishToken())
          .isNull();
    }

    @Test
    void anUnknownKeyIsNamed() throws IOException {
      Path f = file("{\"port\": 1, \"colour\": \"blue\"}");

      assertFails(() -> load("--config", f.toString()), "colour")
          .hasMessageContaining("unknown setting \"colour\"")
          .hasMessageContaining(f.toString());
    }

    @Test
    void anUnknownNestedKeyIsNamedInFullWithASuggestion() throws IOException {
      Path f = file("{\"buffer\": {\"maxx\": 1}}");

      assertFails(() -> load("--config", f.toString()), "buffer.maxx")
          .hasMessageContaining("did you mean buffer.max?");
    }

    @Test
    void aMisspelledKeyGetsASuggestion() throws IOException {
      Path f = file("{\"heartbeatMS\": 1000}");

      assertFails(() -> load("--config", f.toString()), "heartbeatMS")
          .hasMessageContaining("did you mean heartbeatMs?");
    }

    @Test
    void aWrongTypeNamesTheKeyAndTheValue() throws IOException {
      Path f = file("{\"port\": \"8080\"}");

      assertFails(() -> load("--config", f.toString()), "port")
          .hasMessage(
              "port must be a whole number, was \"8080\" (config file " + f + ")");
    }

    @Test
    void aFractionForAnIntegerIsRejected() throws IOException {
      Path f = file("{\"buffer\": {\"max\": 1.5}}");

      assertFails(() -> load("--config", f.toString()), "buffer.max")
          .hasMessageContaining("was 1.5");
    }

    @Test
    void aStringForANumberIsRejected() throws IOException {
      Path f = file("{\"buffer.warn\": true}");

      assertFails(() -> load("--config", f.toString()), "buffer.warn")
          .hasMessageContaining("must be a number, was true");
    }

    @Test
    void aNumberForAStringIsRejected() throws IOException {
      Path f = file("{\"host\": 127}");

      assertFails(() -> load("--config", f.toString()), "host")
          .hasMessageContaining("must be a string, was 127");
    }

    @Test
    void aGroupThatIsNotAnObjectIsNamed() throws IOException {
      Path f = file("{\"buffer\": 5}");

      assertFails(() -> load("--config", f.toString()), "buffer")
          .hasMessageContaining("buffer must be an object of buffer.* settings, was 5");
    }

    @Test
    void theSameKeyNestedAndDottedIsRejected() throws IOException {
      Path f = file("{\"buffer\": {\"max\": 1}, \"buffer.max\": 2}");

      assertFails(() -> load("--config", f.toString()), "buffer.max")
          .hasMessageContaining("twice");
    }

    @Test
    void aMissingFileIsNamed() {
      Path missing = dir.resolve("nope.json");

      assertFails(() -> load("--config", missing.toString()), "--config")
          .hasMessageContaining(missing.toString())
          .hasMessageContaining("does not exist");
    }

    @Test
    void invalidJsonIsNamed() throws IOException {
      Path f = file("{\"port\": 8080,");

      assertFails(() -> load("--config", f.toString()), "--config")
          .hasMessageContaining(f.toString())
          .hasMessageContaining("not valid JSON");
    }

    @Test
    void anEmptyFileIsNamed() throws IOException {
      Path f = file("");

      assertFails(() -> load("--config", f.toString()), "--config")
          .hasMessageContaining(f.toString());
    }

    @Test
    void aFileThatIsNotAnObjectIsNamed() throws IOException {
      Path f = file("[1, 2]");

      assertFails(() -> load("--config", f.toString()), "--config")
          .hasMessageContaining("must hold a JSON object")
          .hasMessageContaining("[1,2]");
    }

    @Test
    void aDirectoryIsNamed() {
      assertFails(() -> load("--config", dir.toString()), "--config")
          .hasMessageContaining(dir.toString());
    }

    @Test
    void onlyOneFileIsAccepted() throws IOException {
      Path f = file("{}");

      assertFails(() -> load("--config", f.toString(), "--config=" + f), "--config")
          .hasMessageContaining("twice");
    }
  }

  @Nested
  class Flags {

    @Test
    void anUnknownFlagIsNamed() {
      assertFails(() -> load("--prot", "8080"), "--prot").hasMessageContaining("unknown flag");
    }

    @Test
    void aStrayArgumentIsNamed() {
      assertFails(() -> load("8080"), "8080").hasMessageContaining("unexpected argument");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--port", "--host", "--config", "--set"})
    void aFlagWithoutItsValueIsNamed(String flag) {
      assertFails(() -> load(flag), flag).hasMessageContaining("needs a value");
    }

    @Test
    void setWithoutEqualsIsRejected() {
      assertFails(() -> load("--set", "port"), "--set").hasMessageContaining("KEY=VALUE");
      assertFails(() -> load("--set", "=1"), "--set");
    }

    @Test
    void setOfAnUnknownKeyIsNamed() {
      assertFails(() -> load("--set", "buffer.size=5"), "buffer.size")
          .hasMessageContaining("unknown setting");
    }

    @Test
    void setKeepsEverythingAfterTheFirstEquals() {
      assertThat(load("--set", "publishToken=a=b").publishToken()).isEqualTo("a=b");
    }

    @Test
    void helpIsRecognised() {
      assertThat(ConfigLoader.helpRequested(List.of("--help"))).isTrue();
      assertThat(ConfigLoader.helpRequested(List.of("--port", "1", "-h"))).isTrue();
      assertThat(ConfigLoader.helpRequested(List.of("--port", "1"))).isFalse();
      assertThat(ConfigLoader.helpRequested(List.of("--set", "jwtSecret=--help"))).isFalse();
    }

    @Test
    void usageListsFlagsAndDefaults() {
      String usage = ConfigLoader.usage();

      assertThat(usage).contains("--port", "--host", "--config", "--set", "--help");
      assertThat(usage.lines())
          .anySatisfy(l -> assertThat(l).matches("port +SLIPSTREAM_PORT +8080 .*"))
          .anySatisfy(l -> assertThat(l).matches("buffer\\.policy +\\S+ +drop-oldest .*"))
          .anySatisfy(l -> assertThat(l).matches("publishToken +\\S+ +unset .*"))
          .anySatisfy(l -> assertThat(l).matches("buffer\\.maxBytes +\\S+ +16777216 .*"));
    }
  }

  @Nested
  class FileOnlySettings {

    @ParameterizedTest(name = "{0} from the file")
    @MethodSource("io.slipstream.server.config.ConfigLoaderTest#fileOnlyKeys")
    void isRefusedFromTheEnvironmentPropertiesAndSetNamingTheFile(String key, String env) {
      assertFails(() -> load(List.of(), Map.of(env, "[]"), Map.of()), key)
          .hasMessageContaining("configuration file only")
          .hasMessageContaining(env);
      assertFails(() -> load(List.of(), Map.of(), Map.of("slipstream." + key, "[]")), key)
          .hasMessageContaining("configuration file only");
      assertFails(() -> load("--set", key + "=[]"), key)
          .hasMessageContaining("configuration file only");
    }

    @ParameterizedTest(name = "{0} in --help")
    @MethodSource("io.slipstream.server.config.ConfigLoaderTest#fileOnlyKeys")
    void isListedInTheUsageAsFileOnly(String key) {
      assertThat(ConfigLoader.usage().lines())
          .anySatisfy(line -> assertThat(line).startsWith(key + " ").contains("(file only)"));
    }

    @Test
    void allowedOriginsIsReadAsAListAndNullUnsetsIt() throws IOException {
      Path f = file("{\"allowedOrigins\": [\"https://*.example.com\", \"http://localhost:8080\"]}");
      assertThat(load("--config", f.toString()).access().allowedOrigins())
          .containsExactly("https://*.example.com", "http://localhost:8080");
      assertThat(
              load("--config", file("{\"allowedOrigins\": null}").toString())
                  .access()
                  .allowedOrigins())
          .isNull();
      assertThat(SlipstreamConfig.defaults().access().allowedOrigins()).isNull();
    }

    @Test
    void aListOfNonStringsOrNotAListIsNamed() throws IOException {
      assertFails(
              () -> load("--config", fileQuietly("{\"allowedOrigins\": [1]}")), "allowedOrigins")
          .hasMessageContaining("array of strings");
      assertFails(
              () -> load("--config", fileQuietly("{\"allowedOrigins\": \"https://a.example\"}")),
              "allowedOrigins")
          .hasMessageContaining("array of strings");
      assertFails(
              () -> load("--config", fileQuietly("{\"allowedOrigins\": [\"not an origin\"]}")),
              "allowedOrigins")
          .hasMessageContaining("not an origin");
    }

    @Test
    void aListBeyondTheBoundIsNamed() {
      io.vertx.core.json.JsonArray many = new io.vertx.core.json.JsonArray();
      for (int i = 0; i <= FileOnly.MAX_ENTRIES; i++) {
        many.add("https://h" + i + ".example");
      }
      assertFails(
              () ->
                  load(
                      "--config",
                      fileQuietly(new JsonObject().put("allowedOrigins", many).encode())),
              "allowedOrigins")
          .hasMessageContaining("at most " + FileOnly.MAX_ENTRIES);
    }

    @Test
    void aMapKeepsTheFileOrderAndRefusesNonScalars() {
      assertThat(
              FileOnly.map(
                  "priorities", new JsonObject().put("b.*", 2).put("a.*", 1).put("c", "x")))
          .containsExactly(Map.entry("b.*", 2), Map.entry("a.*", 1), Map.entry("c", "x"));
      assertThat(FileOnly.map("priorities", null)).isEmpty();
      assertThatThrownBy(
              () -> FileOnly.map("priorities", new JsonObject().put("a", new JsonObject())))
          .hasMessageStartingWith("priorities.a must be a string, a number or a boolean");
      assertThatThrownBy(() -> FileOnly.map("priorities", List.of()))
          .hasMessageStartingWith("priorities must be a JSON object");
      assertThat(Setting.Kind.MAP.fileOnly()).isTrue();
      assertThatThrownBy(() -> Setting.Kind.MAP.fromText("priorities", "{}"))
          .hasMessageContaining("configuration file only");
    }

    private String fileQuietly(String content) {
      try {
        return file(content).toString();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  @Nested
  class KeyFiles {

    @Test
    void aPublicKeyIsReadInlineOrFromAFile() throws IOException {
      Path pem = Files.writeString(dir.resolve("key.pem"), JwtTokens.EC_PEM);
      assertThat(JwtKeys.load(load("--set", "jwtPublicKey=" + pem)).pems())
          .extracting(JwtKeys.Pem::algorithm)
          .containsExactly("ES256");
      assertThat(JwtKeys.load(load("--set", "jwtPublicKey=" + JwtTokens.RSA_PEM)).pems())
          .extracting(JwtKeys.Pem::algorithm)
          .containsExactly("RS256");
      // Flattened to one line, as some environments carry it.
      String oneLine = JwtTokens.RSA_PEM.replace("\n", " ");
      assertThat(JwtKeys.load(load("--set", "jwtPublicKey=" + oneLine)).pems()).hasSize(1);
    }

    @Test
    void aKeyThatCannotBeUsedStopsTheStartNamingItsSetting() throws IOException {
      assertFails(() -> load("--set", "jwtPublicKey=/no/such/key.pem"), "jwtPublicKey")
          .hasMessageContaining("/no/such/key.pem");
      assertFails(
              () ->
                  load(
                      "--set",
                      "jwtPublicKey=-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"),
              "jwtPublicKey")
          .hasMessageContaining("not an RSA or EC public key");
      assertFails(
              () ->
                  load(
                      "--set",
                      "jwtPublicKey=-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"),
              "jwtPublicKey")
          .hasMessageContaining("never give the server a private key");
      assertFails(() -> load("--set", "jwtPublicKey=" + JwtTokens.RSA_1024_PEM), "jwtPublicKey")
          .hasMessageContaining("1024-bit");
      Path empty = Files.writeString(dir.resolve("empty.json"), "{\"keys\": []}");
      assertFails(() -> load("--set", "jwtJwksFile=" + empty), "jwtJwksFile")
          .hasMessageContaining("at least one key");
      Path enc =
          Files.writeString(
              dir.resolve("enc.json"),
              "{\"keys\": [{\"kty\": \"oct\", \"use\": \"enc\", \"k\": \"c2VjcmV0\"}]}");
      assertFails(() -> load("--set", "jwtJwksFile=" + enc), "jwtJwksFile")
          .hasMessageContaining("not a signature key");
      StringBuilder keys = new StringBuilder("{\"keys\": [");
      for (int i = 0; i <= JwtKeys.MAX_JWKS_KEYS; i++) {
        keys.append(i == 0 ? "" : ",").append("{\"kty\": \"oct\", \"k\": \"c2VjcmV0\"}");
      }
      Path tooMany = Files.writeString(dir.resolve("many.json"), keys.append("]}").toString());
      assertFails(() -> load("--set", "jwtJwksFile=" + tooMany), "jwtJwksFile")
          .hasMessageContaining("at most " + JwtKeys.MAX_JWKS_KEYS);
      Path bad = Files.writeString(dir.resolve("bad.json"), "{\"keys\": [{\"kty\": \"XYZ\"}]}");
      assertFails(() -> load("--set", "jwtJwksFile=" + bad), "jwtJwksFile")
          .hasMessageContaining("key #1");
    }
  }

  @Test
  void everyKeyCanBeSetAtOnce() {
    List<String> args = new ArrayList<>();
    keys()
        .forEach(
            a -> {
              args.add("--set");
              args.add(a.get()[0] + "=" + a.get()[2]);
            });

    SlipstreamConfig c = load(args, Map.of(), Map.of());

    keys()
        .forEach(
            a -> {
              @SuppressWarnings("unchecked")
              Function<SlipstreamConfig, Object> f = (Function<SlipstreamConfig, Object>) a.get()[4];
              assertThat(f.apply(c)).as("%s", a.get()[0]).isEqualTo(a.get()[3]);
            });
  }
}
