package io.slipstream.server.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.impl.jose.JWK;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key material and checked claims that {@code hello.token} and {@code auth.token} are verified
 * with (docs/protocol.md §3), read and checked once at start from {@code jwtSecret}, {@code
 * jwtPublicKey} and {@code jwtJwksFile}, so that a key that cannot be used stops the server with
 * exit code 2 naming its setting instead of refusing every client later.
 *
 * <p>Immutable and thread-safe. {@code jwtPublicKey} is PEM text when it starts with {@code
 * -----BEGIN}, else the path of a PEM file: a key fits an environment variable, a file fits a
 * mounted secret. It must be a {@code PUBLIC KEY} (SubjectPublicKeyInfo): RSA of at least 2048 bits
 * (RS256) or EC on P-256 (ES256). The PEM is re-encoded canonically, so single-line PEM (as some
 * environments flatten it) works too. A JWKS file is {@code {"keys": [...]}} (RFC 7517); every key
 * must be a signature key Vert.x can use (its {@code alg}, default RS256 for RSA, ES256 for EC,
 * HS256 for oct), else start fails: a key silently skipped would leave tokens of that key refused
 * with no clue why.
 *
 * @param secret the HMAC secret for HS256, HS384 and HS512, or null
 * @param pems public keys: algorithm and canonical PEM text
 * @param jwks the JWKS file's keys, each checked
 * @param issuer the required {@code iss}, or null
 * @param audience a required {@code aud} value, or null
 * @param leewayMs clock skew allowed on {@code exp} and {@code nbf}, ms
 * @param requireExp whether a token without {@code exp} is refused
 */
public record JwtKeys(
    String secret,
    List<Pem> pems,
    List<JsonObject> jwks,
    String issuer,
    String audience,
    long leewayMs,
    boolean requireExp) {

  /** Most keys a JWKS file may hold: a key set, not a directory. */
  public static final int MAX_JWKS_KEYS = 64;

  /** Largest key file read ({@code jwtPublicKey} as a path, {@code jwtJwksFile}): 1 MiB. */
  static final long MAX_KEY_FILE_BYTES = 1 << 20;

  /** Smallest RSA modulus accepted, bits (NIST SP 800-131A). */
  static final int MIN_RSA_BITS = 2048;

  private static final Pattern PEM =
      Pattern.compile(
          "-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----\\s*",
          Pattern.DOTALL);

  /** One public key: the JWS algorithm it verifies ({@code RS256}, {@code ES256}) and its PEM. */
  public record Pem(String algorithm, String text) {}

  public JwtKeys {
    pems = List.copyOf(pems);
    jwks = List.copyOf(jwks);
  }

  /** Whether tokens are checked at all: some key is configured. */
  public boolean enabled() {
    return secret != null || !pems.isEmpty() || !jwks.isEmpty();
  }

  /** The algorithms a token's header may name, in a stable order, for error messages. */
  public Set<String> algorithms() {
    Set<String> out = new LinkedHashSet<>();
    if (secret != null) {
      out.add("HS256");
      out.add("HS384");
      out.add("HS512");
    }
    for (Pem p : pems) {
      out.add(p.algorithm());
    }
    for (JsonObject k : jwks) {
      out.add(new JWK(k).getAlgorithm());
    }
    return out;
  }

  /**
   * Reads and checks the keys {@code config} names.
   *
   * @throws ConfigException naming {@code jwtPublicKey} or {@code jwtJwksFile} and what is wrong
   */
  public static JwtKeys load(SlipstreamConfig config) {
    AccessConfig a = config.access();
    List<Pem> pems = new ArrayList<>();
    if (a.jwtPublicKey() != null) {
      pems.add(pem(a.jwtPublicKey()));
    }
    List<JsonObject> jwks = a.jwtJwksFile() == null ? List.of() : jwks(a.jwtJwksFile());
    return new JwtKeys(
        config.jwtSecret(),
        pems,
        jwks,
        a.jwtIssuer(),
        a.jwtAudience(),
        a.jwtLeewayMs(),
        config.jwtRequireExp());
  }

  private static Pem pem(String setting) {
    String key = "jwtPublicKey";
    boolean inline = setting.startsWith("-----BEGIN");
    String text = inline ? setting : read(key, setting, "a PEM public key file");
    Matcher m = PEM.matcher(text.trim() + "\n");
    if (!m.matches()) {
      throw new ConfigException(
          key,
          key
              + " must be one PEM block (-----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)"
              + (inline ? "" : " in " + setting));
    }
    if (!m.group(1).equals("PUBLIC KEY")) {
      throw new ConfigException(
          key,
          key
              + " must be a PUBLIC KEY (SubjectPublicKeyInfo) PEM block, was "
              + m.group(1)
              + (m.group(1).contains("PRIVATE") ? " (never give the server a private key)" : ""));
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(m.group(2));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, key + " has a PEM body that is not base64", e);
    }
    PublicKey pub = publicKey(key, der);
    String algorithm;
    if (pub instanceof RSAPublicKey) {
      int bits = ((RSAPublicKey) pub).getModulus().bitLength();
      if (bits < MIN_RSA_BITS) {
        throw new ConfigException(
            key,
            key + " is a " + bits + "-bit RSA key; RS256 needs at least " + MIN_RSA_BITS + " bits");
      }
      algorithm = "RS256";
    } else if (pub instanceof ECPublicKey) {
      int bits = ((ECPublicKey) pub).getParams().getCurve().getField().getFieldSize();
      if (bits != 256) {
        throw new ConfigException(
            key, key + " is an EC key on a " + bits + "-bit curve; ES256 needs P-256");
      }
      algorithm = "ES256";
    } else {
      throw new ConfigException(
          key, key + " must be an RSA (RS256) or EC P-256 (ES256) key, was " + pub.getAlgorithm());
    }
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return new Pem(
        algorithm, "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n");
  }

  private static PublicKey publicKey(String key, byte[] der) {
    for (String kind : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(kind).generatePublic(new X509EncodedKeySpec(der));
      } catch (GeneralSecurityException | IllegalArgumentException tryNext) {
        // Not this kind of key.
      }
    }
    throw new ConfigException(key, key + " is not an RSA or EC public key");
  }

  private static List<JsonObject> jwks(String path) {
    String key = "jwtJwksFile";
    String text = read(key, path, "a JWKS file");
    Object decoded;
    try {
      decoded = Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new ConfigException(key, key + " " + path + " is not valid JSON", e);
    }
    Object keys = decoded instanceof JsonObject ? ((JsonObject) decoded).getValue("keys") : null;
    if (!(keys instanceof JsonArray) || ((JsonArray) keys).isEmpty()) {
      throw new ConfigException(
          key,
          key + " " + path + " must hold a JSON object {\"keys\": [...]} with at least one key");
    }
    JsonArray array = (JsonArray) keys;
    if (array.size() > MAX_JWKS_KEYS) {
      throw new ConfigException(
          key, key + " " + path + " holds " + array.size() + " keys; at most " + MAX_JWKS_KEYS);
    }
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      Object k = array.getValue(i);
      String which = key + " " + path + " key #" + (i + 1);
      if (!(k instanceof JsonObject)) {
        throw new ConfigException(key, which + " is not a JSON object");
      }
      JsonObject json = (JsonObject) k;
      if (json.getValue("kid") != null) {
        which += " (kid " + Setting.Kind.describe(json.getValue("kid")) + ")";
      }
      JWK jwk;
      try {
        // The very class the verifier builds its keys with, so start accepts exactly what it can.
        jwk = new JWK(json);
      } catch (RuntimeException e) {
        throw new ConfigException(key, which + " cannot be used: " + rootMessage(e), e);
      }
      if (jwk.use() != null && !"sig".equals(jwk.use())) {
        throw new ConfigException(
            key, which + " is not a signature key (use \"" + jwk.use() + "\")");
      }
      if (jwk.mac() == null && jwk.publicKey() == null) {
        throw new ConfigException(key, which + " has no public key");
      }
      out.add(json.copy());
    }
    return out;
  }

  private static String read(String key, String path, String what) {
    try {
      Path p = Path.of(path);
      if (Files.size(p) > MAX_KEY_FILE_BYTES) {
        throw new ConfigException(
            key, key + " " + path + " is larger than " + MAX_KEY_FILE_BYTES + " bytes");
      }
      return Files.readString(p);
    } catch (IOException | RuntimeException e) {
      if (e instanceof ConfigException) {
        throw (ConfigException) e;
      }
      throw new ConfigException(
          key, key + " must be " + what + " that can be read, " + path + ": " + e, e);
    }
  }

  private static String rootMessage(Throwable e) {
    while (e.getCause() != null) {
      e = e.getCause();
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }
}
