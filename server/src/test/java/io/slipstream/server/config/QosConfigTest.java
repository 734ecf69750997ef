package io.slipstream.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.core.qos.AdaptiveBuffer;
import io.slipstream.core.qos.QosClass;
import io.slipstream.core.qos.QosClasses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The file-only setting {@code qos.classes}: classes bound from the {@code --config} file over the
 * node's own buffer settings, and every bad value refused at start naming its key.
 */
class QosConfigTest {

  @TempDir Path dir;

  private static final String TWO_CLASSES =
      "{\"buffer\": {\"max\": 5000, \"warn\": 0.7},"
          + " \"sustainMs\": 4000,"
          + " \"qos\": {\"classes\": {"
          + "   \"realtime\": {\"max\": 200, \"maxBytes\": 262144, \"warn\": 0.5, \"policy\":"
          + " \"drop-oldest\", \"sustainMs\": 1000, \"rate\": 100},"
          + "   \"bulk\": {\"max\": 100000, \"policy\": \"drop-oldest\", \"askable\": false}}}}";

  @Test
  void classesComeFromTheFileAndInheritTheNodesBufferSettings() throws IOException {
    SlipstreamConfig c = load(file(TWO_CLASSES));
    QosClasses qos = c.qos();
    assertThat(qos.all()).extracting(QosClass::name).containsExactly("standard", "realtime", "bulk");

    QosClass standard = qos.standard();
    assertThat(standard.buffer()).isEqualTo(c.buffer());
    assertThat(standard.sustainMs()).isEqualTo(4000);
    assertThat(standard.throttled()).isFalse();

    QosClass realtime = qos.get("realtime");
    assertThat(realtime.buffer().maxEvents()).isEqualTo(200);
    assertThat(realtime.buffer().maxBytes()).isEqualTo(262_144);
    assertThat(realtime.buffer().warn()).isEqualTo(0.5);
    assertThat(realtime.sustainMs()).isEqualTo(1000);
    assertThat(realtime.rate()).isEqualTo(100);
    assertThat(realtime.askable()).isTrue();

    QosClass bulk = qos.get("bulk");
    assertThat(bulk.buffer().maxEvents()).isEqualTo(100_000);
    assertThat(bulk.buffer().warn()).as("inherited from buffer.warn").isEqualTo(0.7);
    assertThat(bulk.buffer().maxBytes()).isEqualTo(c.buffer().maxBytes());
    assertThat(bulk.sustainMs()).as("inherited from sustainMs").isEqualTo(4000);
    assertThat(bulk.askable()).isFalse();
  }

  @Test
  void dottedKeyWorksLikeTheNestedOne() throws IOException {
    SlipstreamConfig c = load(file("{\"qos.classes\": {\"bulk\": {\"max\": 9}}}"));
    assertThat(c.qos().get("bulk").buffer().maxEvents()).isEqualTo(9);
  }

  @Test
  void withoutTheSettingThereIsOnlyStandardOfTheNodesBuffer() {
    SlipstreamConfig c = ConfigLoader.load(List.of("--set", "buffer.max=77"), Map.of(), Map.of());
    assertThat(c.qos().all()).hasSize(1);
    assertThat(c.qos().standard().buffer().maxEvents()).isEqualTo(77);
  }

  @Test
  void theFileMayRedefineStandard() throws IOException {
    SlipstreamConfig c = load(file("{\"qos\": {\"classes\": {\"standard\": {\"rate\": 50}}}}"));
    assertThat(c.qos().standard().rate()).isEqualTo(50);
    assertThat(c.qos().standard().buffer()).isEqualTo(c.buffer());
  }

  @Test
  void itIsFileOnly() {
    ConfigException e =
        catchThrowableOfType(
            () ->
                ConfigLoader.load(
                    List.of("--set", "qos.classes={}"), Map.of(), Map.of()),
            ConfigException.class);
    assertThat(e.setting()).isEqualTo("qos.classes");
    assertThat(e).hasMessageContaining("file only");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"qos\": {\"classes\": []}}                                 | qos.classes | object of QoS classes",
        "{\"qos\": {\"classes\": {\"Real Time\": {}}}}                | qos.classes | not a class name",
        "{\"qos\": {\"classes\": {\"rt\": 5}}}                        | qos.classes | qos.classes.rt must be an object",
        "{\"qos\": {\"classes\": {\"rt\": {\"speed\": 1}}}}           | qos.classes | qos.classes.rt.speed is not a class setting",
        "{\"qos\": {\"classes\": {\"rt\": {\"max\": 0}}}}             | qos.classes | qos.classes.rt.max must be 1 to",
        "{\"qos\": {\"classes\": {\"rt\": {\"max\": 1.5}}}}           | qos.classes | qos.classes.rt.max must be a whole number",
        "{\"qos\": {\"classes\": {\"rt\": {\"warn\": 0.99}}}}         | qos.classes | qos.classes.rt.warn must be above 0 and below",
        "{\"qos\": {\"classes\": {\"rt\": {\"policy\": \"lossy\"}}}}  | qos.classes | qos.classes.rt.policy",
        "{\"qos\": {\"classes\": {\"rt\": {\"rate\": -1}}}}           | qos.classes | rate must be 0 to",
        "{\"qos\": {\"classes\": {\"rt\": {\"askable\": \"yes\"}}}}   | qos.classes | qos.classes.rt.askable must be true or false",
        "{\"qos\": {\"classes\": {\"rt\": {\"compression\": \"on\"}}}} | qos.classes | qos.classes.rt.compression must be true or false",
        "{\"qos\": {\"classes\": {\"rt\": {\"adaptive\": 64}}}}          | qos.classes | qos.classes.rt.adaptive must be an object",
        "{\"qos\": {\"classes\": {\"rt\": {\"adaptive\": {\"min\": 64}}}}} | qos.classes | qos.classes.rt.adaptive.targetDelayMs is required",
        "{\"qos\": {\"classes\": {\"rt\": {\"adaptive\": {\"min\": 0, \"targetDelayMs\": 9}}}}} | qos.classes | qos.classes.rt.adaptive.min must be 1 to",
        "{\"qos\": {\"classes\": {\"rt\": {\"adaptive\": {\"min\": 9, \"targetDelayMs\": 0}}}}} | qos.classes | qos.classes.rt.adaptive.targetDelayMs must be 1 to",
        "{\"qos\": {\"classes\": {\"rt\": {\"adaptive\": {\"min\": 9, \"targetDelayMs\": 9, \"max\": 9}}}}} | qos.classes | qos.classes.rt.adaptive.max is not an adaptive setting",
        "{\"qos\": {\"classes\": {\"rt\": {\"max\": 50, \"adaptive\": {\"min\": 64, \"targetDelayMs\": 9}}}}} | qos.classes | qos.classes.rt.adaptive.min must be at most max (50)",
        "{\"qos\": {\"colours\": {}}}                                 | qos.colours | unknown setting",
      })
  void badValuesStopTheStartNamingTheKey(String json, String setting, String message)
      throws IOException {
    Path f = file(json);
    ConfigException e = catchThrowableOfType(() -> load(f), ConfigException.class);
    assertThat(e).as(json).isNotNull();
    assertThat(e.setting()).as(e.getMessage()).isEqualTo(setting);
    assertThat(e).hasMessageContaining(message);
  }

  @Test
  void aClassMayConflateAndAgeOutByItsOwnMaxAge() throws IOException {
    SlipstreamConfig c =
        load(
            file(
                "{\"qos\": {\"classes\": {\"screen\": {\"policy\": \"conflate\"},"
                    + " \"telemetry\": {\"policy\": \"by-age\", \"maxAgeMs\": 250}}}}"));
    assertThat(c.qos().get("screen").buffer().policy()).isEqualTo(DropPolicy.CONFLATE);
    assertThat(c.qos().get("telemetry").buffer().maxAgeMs()).isEqualTo(250);
    assertThat(c.qos().get("screen").buffer().maxAgeMs()).isEqualTo(c.buffer().maxAgeMs());
  }

  @Test
  void aClassWithoutCompressionTakesTheNodesAndOneWithItOverridesIt() throws IOException {
    String classes =
        "\"qos\": {\"classes\": {\"bulk\": {\"compression\": false},"
            + " \"mobile\": {\"compression\": true}, \"plain\": {}}}";
    SlipstreamConfig on = load(file("{\"compression\": {\"enabled\": true}, " + classes + "}"));
    assertThat(on.qos().standard().compression()).as("standard follows the node").isTrue();
    assertThat(on.qos().get("plain").compression()).as("unset: the node's").isTrue();
    assertThat(on.qos().get("bulk").compression()).isFalse();
    assertThat(on.qos().get("mobile").compression()).isTrue();

    // compression.enabled from a flag, the classes from the file: the class still inherits it.
    SlipstreamConfig off =
        ConfigLoader.load(
            List.of("--config", file("{" + classes + "}").toString(),
                "--set", "compression.enabled=false"),
            Map.of(),
            Map.of());
    assertThat(off.qos().standard().compression()).isFalse();
    assertThat(off.qos().get("plain").compression()).isFalse();
    assertThat(off.qos().get("mobile").compression()).isTrue();
  }

  @Test
  void classesWrittenBackAsTheFileSpellsThemParseToTheSameClasses() throws IOException {
    SlipstreamConfig c =
        load(
            file(
                "{\"compression\": {\"enabled\": true}, \"qos\": {\"classes\": {"
                    + "\"standard\": {\"compression\": false}, \"mobile\": {\"rate\": 5}}}}"));
    boolean node = c.compression().enabled();
    var json = QosConfig.toJson(c.qos(), c.buffer(), c.sustainMs(), node);
    assertThat(json.getJsonObject("standard").getBoolean("compression")).isFalse();
    assertThat(QosConfig.parse(json, c.buffer(), c.sustainMs(), node)).isEqualTo(c.qos());
  }

  @Test
  void aClassMayBeAdaptiveAndTheFileFormReadsBack() throws IOException {
    SlipstreamConfig c =
        load(
            file(
                "{\"qos\": {\"classes\": {\"screen\": {\"max\": 2000,"
                    + " \"adaptive\": {\"min\": 64, \"targetDelayMs\": 2000}}}}}"));
    QosClass screen = c.qos().get("screen");
    assertThat(screen.adaptive()).isEqualTo(new AdaptiveBuffer(64, 2000));
    assertThat(c.qos().standard().isAdaptive()).as("absent: a fixed bound").isFalse();
    assertThat(
            QosConfig.parse(
                QosConfig.toJson(c.qos(), c.buffer(), c.sustainMs(), false),
                c.buffer(),
                c.sustainMs(),
                false))
        .isEqualTo(c.qos());
  }

  private static SlipstreamConfig load(Path file) {
    return ConfigLoader.load(List.of("--config", file.toString()), Map.of(), Map.of());
  }

  private Path file(String content) throws IOException {
    Path f = Files.createTempFile(dir, "qos", ".json");
    Files.writeString(f, content, StandardCharsets.UTF_8);
    return f;
  }
}
