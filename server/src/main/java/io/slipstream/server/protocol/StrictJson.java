package io.slipstream.server.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;

/**
 * Decodes strict JSON (RFC 8259), as docs/protocol.md requires of every client message (§3) and
 * every HTTP body (§10): comments, trailing commas, single quotes, {@code NaN}/{@code Infinity},
 * unquoted names, leading zeros or plus signs, unescaped control characters, and anything after the
 * top-level value are malformed.
 *
 * <p>Stateless and thread-safe. Vert.x's own {@code Json.decodeValue} cannot be used: its shared
 * Jackson factory enables {@code ALLOW_COMMENTS}, so a {@code ping} carrying a C-style comment
 * would be answered. The values are those {@code Json.decodeValue} returns (a {@code JsonObject} or
 * {@code JsonArray} at the top, {@code Map}s and {@code List}s inside, {@code Integer}, {@code
 * Long} or {@code BigInteger} for integers), because the tree is built by the same {@link
 * JacksonCodec#fromParser}, which also refuses a second top-level token.
 */
public final class StrictJson {

  /**
   * Every {@link JsonReadFeature} is a leniency (it lets through something RFC 8259 forbids), so
   * all are switched off explicitly rather than trusting today's defaults: a Jackson upgrade that
   * adds or flips one cannot loosen the protocol.
   */
  private static final JsonFactory FACTORY = strictFactory();

  private StrictJson() {}

  private static JsonFactory strictFactory() {
    JsonFactoryBuilder b = new JsonFactoryBuilder();
    for (JsonReadFeature f : JsonReadFeature.values()) {
      b.disable(f);
    }
    // Each read feature also switches its legacy JsonParser.Feature twin (ALLOW_COMMENTS, ...).
    return b.build();
  }

  /**
   * Decodes one JSON text.
   *
   * @throws DecodeException when {@code text} is not exactly one strict JSON value
   */
  public static Object decode(String text) {
    try {
      return JacksonCodec.fromParser(FACTORY.createParser(text), Object.class);
    } catch (IOException e) {
      throw new DecodeException(e.getMessage(), e);
    }
  }

  /**
   * Decodes one JSON text given as UTF-8 (RFC 8259 §8.1).
   *
   * @throws DecodeException when {@code utf8} is not exactly one strict JSON value
   */
  public static Object decode(Buffer utf8) {
    try {
      return JacksonCodec.fromParser(FACTORY.createParser(utf8.getBytes()), Object.class);
    } catch (IOException e) {
      throw new DecodeException(e.getMessage(), e);
    }
  }
}
