package io.slipstream.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * Compresses one message into a complete permessage-deflate text frame (RFC 7692): FIN, RSV1 and
 * opcode 1, the payload a raw DEFLATE stream ended by a sync flush whose trailing {@code 00 00 ff
 * ff} is left off. Each message is compressed with a fresh context (no back-reference to an earlier
 * one), so any client that negotiated the extension reads it, whatever window it keeps; and the
 * frame of a live change can be shared by every socket.
 *
 * <p>Confined to one event loop: one instance per {@link WireFrames}. Bounded: the deflater's own
 * state (about 256 KiB at level 6) and a scratch array that grows to the largest message seen.
 */
final class Deflate {

  /** FIN, RSV1 (compressed), opcode 1 (text). */
  private static final int FIN_RSV1_TEXT = 0xC1;

  private final Deflater deflater;
  private final int minBytes;
  private byte[] out = new byte[1024];

  Deflate(int level, int minBytes) {
    this.deflater = new Deflater(level, true);
    this.minBytes = minBytes;
  }

  /** Whether {@code payload} is worth compressing. */
  boolean worth(byte[] payload) {
    return payload.length >= minBytes;
  }

  /** The compressed frame of {@code payload}, in a direct buffer of exactly its size. */
  ByteBuf frame(ByteBufAllocator alloc, byte[] payload) {
    deflater.reset();
    deflater.setInput(payload);
    int n = 0;
    while (true) {
      n += deflater.deflate(out, n, out.length - n, Deflater.SYNC_FLUSH);
      if (n < out.length) {
        break; // the sync flush completed within the room left
      }
      out = Arrays.copyOf(out, out.length * 2);
    }
    // A sync flush ends in an empty stored block, 00 00 ff ff, which the receiver appends itself.
    int len = n - 4;
    ByteBuf frame = WireFrames.header(alloc, len, FIN_RSV1_TEXT);
    frame.writeBytes(out, 0, len);
    return frame;
  }

  /** Frees the deflater's native memory. */
  void end() {
    deflater.end();
  }
}
