package io.slipstream.server.protocol;

import io.vertx.core.json.JsonObject;

/**
 * The two JSON parts of a {@code hello.token} (docs/protocol.md §3, hello): the header's {@code
 * alg} and the claims' {@code exp}, the only fields the server reads. Decoding the base64url
 * parts and checking the signature is the connection's business.
 *
 * <p>Stateless and thread-safe. Each part is decoded as Vert.x decodes a {@link JsonObject} from
 * text; a part that is not a JSON object throws a {@link RuntimeException} (the token is then
 * invalid).
 */
public final class JwtJson {

  private JwtJson() {}

  /** The header's {@code alg}, any JSON value, or null when absent. */
  public static Object alg(String headerJson) {
    return new JsonObject(headerJson).getValue("alg");
  }

  /** The claims' {@code exp}, any JSON value, or null when absent. */
  public static Object exp(String claimsJson) {
    return new JsonObject(claimsJson).getValue("exp");
  }
}
