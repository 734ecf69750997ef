package io.slipstream.server.config;

/**
 * permessage-deflate on {@code /ws} ({@code compression.*}, docs/protocol.md §2): whether the node
 * negotiates it, how hard it compresses, and from what size a message is worth compressing.
 *
 * <p>Immutable. Every message is compressed on its own (no context kept between messages), which
 * any client that negotiated the extension can read whatever window it keeps, and which lets one
 * compressed frame of a live change be shared by every socket of an event loop.
 *
 * @param enabled whether {@code /ws} offers permessage-deflate to clients that ask ({@code
 *     compression.enabled}); off, nothing is compressed
 * @param level the deflate level, 1 (fast) to 9 (small) ({@code compression.level})
 * @param minBytes messages shorter than this go uncompressed: deflate's framing would outweigh the
 *     saving ({@code compression.minBytes})
 */
public record CompressionConfig(boolean enabled, int level, int minBytes) {

  /** Default {@code compression.enabled}: off, as compression costs CPU per delivery. */
  public static final boolean DEFAULT_ENABLED = false;

  /** Default {@code compression.level}: 6, zlib's own default. */
  public static final int DEFAULT_LEVEL = 6;

  /** Default {@code compression.minBytes}: 256 bytes. */
  public static final int DEFAULT_MIN_BYTES = 256;

  /** The defaults. */
  public static final CompressionConfig DEFAULTS =
      new CompressionConfig(DEFAULT_ENABLED, DEFAULT_LEVEL, DEFAULT_MIN_BYTES);

  public CompressionConfig {
    if (level < 1 || level > 9) {
      throw new IllegalArgumentException("compression.level must be 1 to 9, was " + level);
    }
    if (minBytes < 0) {
      throw new IllegalArgumentException("compression.minBytes must not be negative, was " + minBytes);
    }
  }
}
