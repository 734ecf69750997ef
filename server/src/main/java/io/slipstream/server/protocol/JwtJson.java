package io.slipstream.server.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The JSON of a JWT as the server reads it (docs/protocol.md §3, contract §10): the header's {@code
 * alg}, and the claims {@code sub}, {@code qos}, {@code topics}, {@code exp} and {@code nbf}, typed
 * and bounded. Checking the signature, issuer and audience is vertx-auth-jwt's business; deciding
 * what the claims grant is the {@code auth} package's.
 *
 * <p>Stateless and thread-safe.
 */
public final class JwtJson {

  /** Most entries of a {@code topics} claim. */
  public static final int MAX_TOPIC_PATTERNS = 256;

  /** Longest {@code sub} (as {@code hello.clientId}) and {@code qos}. */
  public static final int MAX_SUBJECT_CHARS = 128;

  private static final int MAX_QOS_CHARS = 64;

  /** A topic name ({@code [A-Za-z0-9._-]{1,128}}) in which {@code *} may stand for any run. */
  private static final Pattern TOPIC_PATTERN = Pattern.compile("[A-Za-z0-9._*-]{1,128}");

  private JwtJson() {}

  /**
   * The claims the server reads, typed, or the reason they cannot be used.
   *
   * @param subject {@code sub}, or null
   * @param qos {@code qos}, or null
   * @param topics {@code topics}, or null when the token has none
   * @param exp {@code exp} in whole seconds, or null
   * @param nbf {@code nbf} in whole seconds, or null
   * @param problem why the claims are malformed (then the token is refused), or null
   */
  public record Claims(
      String subject, String qos, List<String> topics, Long exp, Long nbf, String problem) {
    static Claims malformed(String problem) {
      return new Claims(null, null, null, null, null, problem);
    }
  }

  /** The header's {@code alg}, any JSON value, or null when absent. */
  public static Object alg(String headerJson) {
    return new JsonObject(headerJson).getValue("alg");
  }

  /**
   * The claims of a verified token, from the attributes of vertx-auth-jwt's {@code User} (the
   * decoded claims sit under {@code accessToken}).
   */
  public static Claims claims(JsonObject userAttributes) {
    Object decoded = userAttributes.getValue("accessToken");
    if (!(decoded instanceof JsonObject)) {
      return Claims.malformed("the token has no claims");
    }
    JsonObject c = (JsonObject) decoded;
    Object sub = c.getValue("sub");
    if (sub != null && !shortString(sub, MAX_SUBJECT_CHARS)) {
      return Claims.malformed("sub must be a string of 1 to " + MAX_SUBJECT_CHARS + " characters");
    }
    Object qos = c.getValue("qos");
    if (qos != null && !shortString(qos, MAX_QOS_CHARS)) {
      return Claims.malformed("qos must be a string of 1 to " + MAX_QOS_CHARS + " characters");
    }
    List<String> topics = null;
    Object rawTopics = c.getValue("topics");
    if (rawTopics != null) {
      if (!(rawTopics instanceof JsonArray)
          || ((JsonArray) rawTopics).size() > MAX_TOPIC_PATTERNS) {
        return Claims.malformed(
            "topics must be an array of at most " + MAX_TOPIC_PATTERNS + " topic patterns");
      }
      topics = new ArrayList<>();
      for (Object t : (JsonArray) rawTopics) {
        if (!(t instanceof String) || !TOPIC_PATTERN.matcher((String) t).matches()) {
          return Claims.malformed(
              "topics entries must be topic names in which * stands for any run of characters");
        }
        topics.add((String) t);
      }
    }
    Object exp = c.getValue("exp");
    Object nbf = c.getValue("nbf");
    if ((exp != null && !(exp instanceof Number)) || (nbf != null && !(nbf instanceof Number))) {
      return Claims.malformed("exp and nbf must be numbers (seconds since the Unix epoch)");
    }
    return new Claims(
        (String) sub,
        (String) qos,
        topics,
        exp == null ? null : seconds((Number) exp),
        nbf == null ? null : seconds((Number) nbf),
        null);
  }

  private static boolean shortString(Object v, int max) {
    return v instanceof String && !((String) v).isEmpty() && ((String) v).length() <= max;
  }

  private static long seconds(Number n) {
    // A NumericDate may have a fraction (RFC 7519 §2): its whole second is what counts.
    double d = n.doubleValue();
    return n instanceof Double || n instanceof Float ? (long) Math.floor(d) : n.longValue();
  }
}
