package io.slipstream.server.protocol;

import io.slipstream.core.message.ErrorCode;
import io.vertx.core.json.JsonObject;

/**
 * The error body of every HTTP answer that is not a success (docs/protocol.md §10, §9 for the
 * codes): {@code {"error": {"code", "message", "index"?}}}.
 *
 * <p>Stateless and thread-safe. Error answers are rare: each body is built and encoded anew.
 */
public final class ErrorJson {

  /** The code of a 405, which no protocol message carries and so is not an {@link ErrorCode}. */
  private static final String METHOD_NOT_ALLOWED = "method-not-allowed";

  private ErrorJson() {}

  /** {@code {"error": {"code", "message"}}}. */
  public static String body(ErrorCode code, String message) {
    return body(code.wireName(), message, -1);
  }

  /**
   * {@code {"error": {"code", "message", "index"?}}}.
   *
   * @param index the offending change of a publish's array, or -1 (no {@code index} field)
   */
  public static String body(ErrorCode code, String message, int index) {
    return body(code.wireName(), message, index);
  }

  /** The body of a 405: a route exists, not for this method. */
  public static String methodNotAllowed(String message) {
    return body(METHOD_NOT_ALLOWED, message, -1);
  }

  private static String body(String code, String message, int index) {
    JsonObject err = new JsonObject().put("code", code).put("message", message);
    if (index >= 0) {
      err.put("index", index);
    }
    return new JsonObject().put("error", err).encode();
  }
}
