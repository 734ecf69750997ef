package io.slipstream.server.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Real key pairs and JWTs for tests, made with the JDK alone (java.security), so the tokens a test
 * presents are independent of vertx-auth-jwt, which the server verifies them with.
 *
 * <p>The key pairs are made once per JVM; thread-safe.
 */
public final class JwtTokens {

  /** An RSA 2048 key pair for RS256. */
  public static final KeyPair RSA = generate("RSA", 2048);

  /** Another RSA 2048 key pair, which the server does not know. */
  public static final KeyPair OTHER_RSA = generate("RSA", 2048);

  /** An EC P-256 key pair for ES256. */
  public static final KeyPair EC = generateEc();

  /** {@link #RSA}'s public key as PEM. */
  public static final String RSA_PEM = pem(RSA);

  /** {@link #EC}'s public key as PEM. */
  public static final String EC_PEM = pem(EC);

  /** A 1024-bit RSA public key as PEM: too weak, refused at start. */
  public static final String RSA_1024_PEM = pem(generate("RSA", 1024));

  /** A JWKS file holding {@link #RSA} (kid {@code rsa-1}) and {@link #EC} (kid {@code ec-1}). */
  public static final String JWKS_FILE = jwksFile();

  private JwtTokens() {}

  /** Seconds since the Unix epoch, {@code seconds} from now. */
  public static long in(long seconds) {
    return System.currentTimeMillis() / 1000 + seconds;
  }

  /** A token signed with HMAC ({@code HS256}, {@code HS384} or {@code HS512}). */
  public static String hmac(String alg, String secret, JsonObject claims) {
    String mac = "Hmac" + alg.replace("HS", "SHA");
    String input = header(alg, null) + "." + b64(claims.encode());
    try {
      Mac m = Mac.getInstance(mac);
      m.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), mac));
      return input + "." + b64(m.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * An RS256 token signed with {@code keys}' private key, {@code kid} in its header if not null.
   */
  public static String rs256(KeyPair keys, String kid, JsonObject claims) {
    return sign("RS256", "SHA256withRSA", keys.getPrivate(), kid, claims);
  }

  /** An ES256 token (the JOSE r‖s signature) signed with {@code keys}' private key. */
  public static String es256(KeyPair keys, String kid, JsonObject claims) {
    return sign("ES256", "SHA256withECDSAinP1363Format", keys.getPrivate(), kid, claims);
  }

  /** A token whose header says {@code alg} but is signed as {@code real} would be. */
  public static String relabel(String token, String alg) {
    String[] parts = token.split("\\.");
    return header(alg, null) + "." + parts[1] + "." + parts[2];
  }

  /** An unsigned token ({@code alg: none}, empty signature). */
  public static String none(JsonObject claims) {
    return header("none", null) + "." + b64(claims.encode()) + ".";
  }

  private static String sign(
      String alg, String jca, PrivateKey key, String kid, JsonObject claims) {
    String input = header(alg, kid) + "." + b64(claims.encode());
    try {
      Signature s = Signature.getInstance(jca);
      s.initSign(key);
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + b64(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String header(String alg, String kid) {
    JsonObject h = new JsonObject().put("alg", alg).put("typ", "JWT");
    if (kid != null) {
      h.put("kid", kid);
    }
    return b64(h.encode());
  }

  private static String b64(String s) {
    return b64(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static KeyPair generate(String alg, int bits) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(alg);
      g.initialize(bits);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair generateEc() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(KeyPair keys) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(keys.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  private static String jwksFile() {
    RSAPublicKey rsa = (RSAPublicKey) RSA.getPublic();
    ECPublicKey ec = (ECPublicKey) EC.getPublic();
    JsonObject jwks =
        new JsonObject()
            .put(
                "keys",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("kty", "RSA")
                            .put("kid", "rsa-1")
                            .put("use", "sig")
                            .put("alg", "RS256")
                            .put("n", unsigned(rsa.getModulus(), 0))
                            .put("e", unsigned(rsa.getPublicExponent(), 0)))
                    .add(
                        new JsonObject()
                            .put("kty", "EC")
                            .put("kid", "ec-1")
                            .put("crv", "P-256")
                            .put("alg", "ES256")
                            .put("x", unsigned(ec.getW().getAffineX(), 32))
                            .put("y", unsigned(ec.getW().getAffineY(), 32))));
    try {
      Path f = Files.createTempFile("slipstream-jwks", ".json");
      f.toFile().deleteOnExit();
      Files.writeString(f, jwks.encode());
      return f.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Base64url of a big-endian unsigned integer, left-padded to {@code length} bytes if > 0. */
  private static String unsigned(BigInteger n, int length) {
    byte[] b = n.toByteArray();
    int start = b.length > 1 && b[0] == 0 ? 1 : 0;
    int size = Math.max(b.length - start, length);
    byte[] out = new byte[size];
    System.arraycopy(b, start, out, size - (b.length - start), b.length - start);
    return b64(out);
  }
}
