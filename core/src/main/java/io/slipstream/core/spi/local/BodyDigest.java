package io.slipstream.core.spi.local;

import io.slipstream.core.topic.ChangeRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * 128 bits of a SHA-256 over a publish's changes, what the dedupe window keeps instead of the body
 * to tell a retry (same changes) from a conflict (other changes under the same key).
 *
 * <p>Immutable. The changes are already parsed and their rows re-encoded compactly, so two bodies
 * that differ only in whitespace have the same digest; any other difference changes it.
 */
record BodyDigest(long high, long low) {

  static BodyDigest of(List<ChangeRequest> changes) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    for (ChangeRequest c : changes) {
      sha.update((byte) c.op().ordinal());
      // Lengths first, so that no two different change lists feed the same bytes.
      update(sha, c.key());
      if (c.row() == null) {
        updateInt(sha, -1);
      } else {
        update(sha, c.row());
      }
    }
    byte[] d = sha.digest();
    return new BodyDigest(longAt(d, 0), longAt(d, 8));
  }

  private static void update(MessageDigest sha, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    updateInt(sha, bytes.length);
    sha.update(bytes);
  }

  private static void updateInt(MessageDigest sha, int v) {
    sha.update((byte) (v >>> 24));
    sha.update((byte) (v >>> 16));
    sha.update((byte) (v >>> 8));
    sha.update((byte) v);
  }

  private static long longAt(byte[] b, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[at + i] & 0xff);
    }
    return v;
  }
}
