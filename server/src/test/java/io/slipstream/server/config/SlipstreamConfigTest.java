package io.slipstream.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.DropPolicy;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SlipstreamConfigTest {

  @Test
  void defaultsAreThoseOfTheProtocol() {
    SlipstreamConfig c = SlipstreamConfig.defaults();

    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.heartbeatMs()).isEqualTo(15_000);
    assertThat(c.heartbeatTimeoutMs()).isEqualTo(30_000);
    assertThat(c.helloTimeoutMs()).isEqualTo(10_000);
    assertThat(c.sessionTtlMs()).isEqualTo(60_000);
    assertThat(c.buffer())
        .isEqualTo(new BufferLimits(16_600, 16_777_216, 0.8, 0.95, DropPolicy.DROP_OLDEST));
    assertThat(c.sustainMs()).isEqualTo(5_000);
    assertThat(c.replayLogSize()).isEqualTo(100_000);
    assertThat(c.maxFrameBytes()).isEqualTo(65_536);
    assertThat(c.rateLimit()).isEqualTo(50);
    assertThat(c.rateBurst()).isEqualTo(100);
    assertThat(c.publishToken()).isNull();
    assertThat(c.jwtSecret()).isNull();
    assertThat(c.maxTopics()).isEqualTo(10_000);
    assertThat(c.maxSubscriptions()).isEqualTo(256);
    assertThat(c.maxSessions()).isEqualTo(100_000);
    assertThat(c.maxConnections()).isEqualTo(100_000);
    assertThat(c.maxPublishBytes()).isEqualTo(1_048_576);
    assertThat(c.eventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void builderStartsFromTheDefaults() {
    assertThat(SlipstreamConfig.builder().build()).isEqualTo(SlipstreamConfig.defaults());
  }

  @Test
  void toBuilderChangesOnlyWhatItIsTold() {
    SlipstreamConfig c = SlipstreamConfig.defaults().toBuilder().port(0).heartbeatMs(200).build();

    assertThat(c.port()).isZero();
    assertThat(c.heartbeatMs()).isEqualTo(200);
    assertThat(c.toBuilder().build()).isEqualTo(c);
    assertThat(c.toBuilder().port(8080).heartbeatMs(15_000).build())
        .isEqualTo(SlipstreamConfig.defaults());
  }

  @Test
  void everyFieldHasASetter() {
    SlipstreamConfig c =
        SlipstreamConfig.builder()
            .host("127.0.0.1")
            .port(1)
            .heartbeatMs(2)
            .heartbeatTimeoutMs(3)
            .helloTimeoutMs(4)
            .sessionTtlMs(5)
            .buffer(new BufferLimits(6, 7, 0.1, 0.2, DropPolicy.DISCONNECT))
            .sustainMs(8)
            .replayLogSize(9)
            .maxFrameBytes(1000)
            .rateLimit(11)
            .rateBurst(12)
            .publishToken("p")
            .jwtSecret("j")
            .maxTopics(13)
            .maxSubscriptions(14)
            .maxSessions(16)
            .maxConnections(15)
            .maxPublishBytes(2000)
            .eventLoops(17)
            .warnRearmMs(18)
            .apiToken("a")
            .jwtRequireExp(false)
            .idempotencyWindow(19)
            .replayLogBytes(2048)
            .topicStateBudgetBytes(1 << 21)
            .bufferBudgetBytes(1 << 17)
            .maxPendingPublishes(20)
            .metricsToken("m")
            .publishTimeoutMs(21)
            .clientOrigins("https://a.example")
            .netTransport("io_uring")
            .cluster(ClusterConfig.DEFAULTS)
            .access(ACCESS)
            .quality(new QualityThresholds(22, 23, 24, 25))
            .metricsTopics("orders.*,ticks")
            .logFormat("json")
            .logLevels("io.netty=WARN")
            .compression(new CompressionConfig(true, 3, 100))
            .build();

    assertThat(c)
        .isEqualTo(
            new SlipstreamConfig(
                "127.0.0.1",
                1,
                2,
                3,
                4,
                5,
                new BufferLimits(6, 7, 0.1, 0.2, DropPolicy.DISCONNECT),
                8,
                9,
                1000,
                11,
                12,
                "p",
                "j",
                13,
                14,
                16,
                15,
                2000,
                17,
                18,
                "a",
                false,
                19,
                2048,
                1 << 21,
                1 << 17,
                20,
                "m",
                21,
                "https://a.example",
                "io_uring",
                ClusterConfig.DEFAULTS,
                QosConfig.standardOnly(
                    new BufferLimits(6, 7, 0.1, 0.2, DropPolicy.DISCONNECT), 8, true),
                ACCESS,
                new QualityThresholds(22, 23, 24, 25),
                "orders.*,ticks",
                "json",
                "io.netty=WARN",
                new CompressionConfig(true, 3, 100)));
  }

  private static final AccessConfig ACCESS =
      new AccessConfig("pem", "jwks.json", "iss", "aud", 22, List.of("https://a.example"), 23);

  @Test
  void allowedOriginsAreBounded() {
    List<String> many = new java.util.ArrayList<>();
    for (int i = 0; i <= AccessConfig.MAX_ORIGINS; i++) {
      many.add("https://h" + i + ".example");
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> AccessConfig.DEFAULTS.withAllowedOrigins(many))
        .hasMessageStartingWith("allowedOrigins must list at most " + AccessConfig.MAX_ORIGINS);
    assertThat(
            AccessConfig.DEFAULTS.withAllowedOrigins(many.subList(1, many.size())).allowedOrigins())
        .hasSize(AccessConfig.MAX_ORIGINS);
  }

  @Test
  void accessWithersChangeOneFieldEach() {
    AccessConfig a = AccessConfig.DEFAULTS;
    assertThat(a.withJwtPublicKey("k").jwtPublicKey()).isEqualTo("k");
    assertThat(a.withJwtJwksFile("f").jwtJwksFile()).isEqualTo("f");
    assertThat(a.withJwtIssuerAndAudience("i", "u"))
        .extracting("jwtIssuer", "jwtAudience")
        .containsExactly("i", "u");
    assertThat(a.withJwtLeewayMs(7).jwtLeewayMs()).isEqualTo(7);
    assertThat(a.withAllowedOrigins(List.of("*")).allowedOrigins()).containsExactly("*");
    assertThat(a.withMaxConnectionsPerAddress(3).maxConnectionsPerAddress()).isEqualTo(3);
    assertThat(
            a.withMaxConnectionsPerAddress(3)
                .withMaxConnectionsPerAddress(a.maxConnectionsPerAddress()))
        .isEqualTo(a);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        bad("host", "\"\"", b -> b.host("")),
        bad("host", "null", b -> b.host(null)),
        bad("port", "-1", b -> b.port(-1)),
        bad("port", "65536", b -> b.port(65_536)),
        bad("heartbeatMs", "0", b -> b.heartbeatMs(0)),
        bad("heartbeatTimeoutMs", "15000", b -> b.heartbeatTimeoutMs(15_000)),
        bad("heartbeatTimeoutMs", "100", b -> b.heartbeatMs(200).heartbeatTimeoutMs(100)),
        bad("helloTimeoutMs", "0", b -> b.helloTimeoutMs(0)),
        bad("sessionTtlMs", "-1", b -> b.sessionTtlMs(-1)),
        bad("sustainMs", "0", b -> b.sustainMs(0)),
        bad("replayLogSize", "0", b -> b.replayLogSize(0)),
        bad("maxFrameBytes", "255", b -> b.maxFrameBytes(255)),
        bad("rateLimit", "0", b -> b.rateLimit(0)),
        bad("rateBurst", "49", b -> b.rateBurst(49)),
        bad("publishToken", "\"\"", b -> b.publishToken("")),
        bad("jwtSecret", "\" \"", b -> b.jwtSecret(" ")),
        bad("warnRearmMs", "-1", b -> b.warnRearmMs(-1)),
        bad("apiToken", "\"\"", b -> b.apiToken("")),
        bad("idempotencyWindow", "0", b -> b.idempotencyWindow(0)),
        bad("replayLogBytes", "1023", b -> b.replayLogBytes(1023)),
        bad("topicStateBudgetBytes", "1048575", b -> b.topicStateBudgetBytes(1_048_575)),
        bad("buffer.budgetBytes", "65535", b -> b.bufferBudgetBytes(65_535)),
        bad("maxPendingPublishes", "0", b -> b.maxPendingPublishes(0)),
        bad("metricsToken", "\"\"", b -> b.metricsToken("")),
        bad("publishTimeoutMs", "0", b -> b.publishTimeoutMs(0)),
        bad("jwtLeewayMs", "-1", b -> b.access(AccessConfig.DEFAULTS.withJwtLeewayMs(-1))),
        bad("jwtPublicKey", "\" \"", b -> b.access(AccessConfig.DEFAULTS.withJwtPublicKey(" "))),
        bad(
            "jwtIssuer",
            "\"\"",
            b -> b.access(AccessConfig.DEFAULTS.withJwtIssuerAndAudience("", null))),
        bad(
            "allowedOrigins",
            "\"example.com\"",
            b -> b.access(AccessConfig.DEFAULTS.withAllowedOrigins(List.of("example.com")))),
        bad(
            "maxConnectionsPerAddress",
            "0",
            b -> b.access(AccessConfig.DEFAULTS.withMaxConnectionsPerAddress(0))),
        bad("clientOrigins", "\"https://a.example/\"", b -> b.clientOrigins("https://a.example/")),
        bad(
            "clientOrigins",
            "\"https://a.example, ftp://x\"",
            b -> b.clientOrigins("https://a.example, ftp://x")),
        bad("clientOrigins", "\"\"", b -> b.clientOrigins("")),
        bad("metrics.topics", "\"a,,b\"", b -> b.metricsTopics("a,,b")),
        bad("log.format", "\"xml\"", b -> b.logFormat("xml")),
        bad("log.levels", "\"io.netty\"", b -> b.logLevels("io.netty")),
        bad("log.levels", "\"io.netty=LOUD\"", b -> b.logLevels("io.netty=LOUD")),
        bad("metrics.topics", "\"a b\"", b -> b.metricsTopics("a b")),
        bad("quality.tickMs", "9", b -> b.quality(new QualityThresholds(9, 1, 1, 1))),
        bad("quality.growthMs", "-1", b -> b.quality(new QualityThresholds(100, -1, 1, 1))),
        bad("quality.ackLagMs", "0", b -> b.quality(new QualityThresholds(100, 1, 0, 1))),
        bad("quality.stallMs", "0", b -> b.quality(new QualityThresholds(100, 1, 1, 0))),
        bad("netTransport", "\"uring\"", b -> b.netTransport("uring")),
        bad("compression.level", "0", b -> b.compression(new CompressionConfig(true, 0, 1))),
        bad("compression.level", "10", b -> b.compression(new CompressionConfig(true, 10, 1))),
        bad("compression.minBytes", "-1", b -> b.compression(new CompressionConfig(true, 6, -1))),
        bad("maxTopics", "0", b -> b.maxTopics(0)),
        bad("maxSubscriptions", "0", b -> b.maxSubscriptions(0)),
        bad("maxSessions", "0", b -> b.maxSessions(0)),
        bad("maxConnections", "0", b -> b.maxConnections(0)),
        bad("maxSessions", "9", b -> b.maxConnections(10).maxSessions(9)),
        bad("maxPublishBytes", "1023", b -> b.maxPublishBytes(1023)),
        bad("eventLoops", "0", b -> b.eventLoops(0)));
  }

  private static Arguments bad(
      String key, String value, UnaryOperator<SlipstreamConfig.Builder> change) {
    return Arguments.of(key, value, change);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("invalid")
  void aBadValueIsRejectedWithASentenceNamingTheKeyAndTheValue(
      String key, String value, UnaryOperator<SlipstreamConfig.Builder> change) {
    assertThatThrownBy(() -> change.apply(SlipstreamConfig.builder()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(key + " ")
        .hasMessageEndingWith(value);
  }

  @Test
  void portZeroMeansAFreePort() {
    assertThat(SlipstreamConfig.builder().port(0).build().port()).isZero();
  }
}
