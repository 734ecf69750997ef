package io.slipstream.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigInteger;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link StrictJson}: RFC 8259 and nothing more, decoded into the values Vert.x decodes to. */
class StrictJsonTest {

  /** For each leniency Jackson has, a text only that leniency lets through. */
  private static final Map<JsonReadFeature, String> LENIENT = new EnumMap<>(JsonReadFeature.class);

  static {
    LENIENT.put(JsonReadFeature.ALLOW_JAVA_COMMENTS, "{\"a\":1 /* c */}");
    LENIENT.put(JsonReadFeature.ALLOW_YAML_COMMENTS, "# c\n{\"a\":1}");
    LENIENT.put(JsonReadFeature.ALLOW_SINGLE_QUOTES, "{'a':1}");
    LENIENT.put(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES, "{a:1}");
    LENIENT.put(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS, "{\"a\":\"x\ty\"}");
    LENIENT.put(JsonReadFeature.ALLOW_BACKSLASH_ESCAPING_ANY_CHARACTER, "{\"a\":\"\\'\"}");
    LENIENT.put(JsonReadFeature.ALLOW_LEADING_ZEROS_FOR_NUMBERS, "{\"a\":01}");
    LENIENT.put(JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS, "{\"a\":+1}");
    LENIENT.put(JsonReadFeature.ALLOW_LEADING_DECIMAL_POINT_FOR_NUMBERS, "{\"a\":.5}");
    LENIENT.put(JsonReadFeature.ALLOW_TRAILING_DECIMAL_POINT_FOR_NUMBERS, "{\"a\":1.}");
    LENIENT.put(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS, "{\"a\":NaN}");
    LENIENT.put(JsonReadFeature.ALLOW_MISSING_VALUES, "[1,,2]");
    LENIENT.put(JsonReadFeature.ALLOW_TRAILING_COMMA, "{\"a\":1,}");
  }

  @Test
  void everyLeniencyOfThisJacksonHasASample() {
    // A Jackson upgrade adding a leniency fails here until it has a sample below.
    assertThat(LENIENT.keySet()).containsExactlyInAnyOrder(JsonReadFeature.values());
  }

  @ParameterizedTest
  @EnumSource(JsonReadFeature.class)
  void refusesWhatEachLeniencyWouldAllow(JsonReadFeature feature) throws IOException {
    String text = LENIENT.get(feature);
    JsonFactory lenient = JsonFactory.builder().enable(feature).build();
    try (JsonParser p = lenient.createParser(text)) {
      while (p.nextToken() != null) {
        // the sample is valid for the lenient parser: it is that leniency, and only it, at work
      }
    }
    assertThatThrownBy(() -> StrictJson.decode(text)).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> StrictJson.decode(Buffer.buffer(text)))
        .isInstanceOf(DecodeException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"a\":1} {\"a\":2}",
        "{\"a\":1}]",
        "{\"a\":1} x",
        "{\"a\":1} // c",
        "{\"a\":1}\u0000",
        "[1] [2]",
        "1 2",
        "",
        "   ",
        "{\"a\":Infinity}",
        "{\"a\":-Infinity}",
        "{\"a\":tru}",
      })
  void refusesAnythingButExactlyOneValue(String text) {
    assertThatThrownBy(() -> StrictJson.decode(text)).isInstanceOf(DecodeException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"type\":\"ping\",\"id\":7}",
        " \t\r\n{ \"a\" : [ 1 , -2.5e3 , true , false , null , \"\\u00e9\\n\\\"\\/\" ] } \n",
        "[{\"k\":{\"n\":[[]]}},{}]",
        "{\"big\":123456789012345678901234567890,\"long\":9007199254740993,\"f\":0.1}",
        "\"just a string\"",
        "42",
        "null",
      })
  void decodesStrictJsonExactlyAsVertxDoes(String text) {
    Object strict = StrictJson.decode(text);
    Object vertx = Json.decodeValue(text);
    assertThat(strict).isEqualTo(vertx);
    assertThat(strict == null ? null : strict.getClass())
        .isEqualTo(vertx == null ? null : vertx.getClass());
    assertThat(StrictJson.decode(Buffer.buffer(text))).isEqualTo(vertx);
  }

  @Test
  void keepsTheNumberTypesTheProtocolChecks() {
    JsonObject o =
        (JsonObject) StrictJson.decode("{\"i\":1,\"l\":5000000000,\"b\":99999999999999999999}");
    assertThat(o.getValue("i")).isInstanceOf(Integer.class);
    assertThat(o.getValue("l")).isInstanceOf(Long.class);
    assertThat(o.getValue("b")).isInstanceOf(BigInteger.class);
    assertThat(StrictJson.decode("[1]")).isInstanceOf(JsonArray.class);
  }

  @Test
  void readsUtf8Bodies() {
    Buffer utf8 =
        Buffer.buffer(
            "{\"k\":\"caf\u00e9 \ud83d\ude00\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(((JsonObject) StrictJson.decode(utf8)).getString("k"))
        .isEqualTo("caf\u00e9 \ud83d\ude00");
  }
}
