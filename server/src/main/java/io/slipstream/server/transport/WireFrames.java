package io.slipstream.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.slipstream.core.topic.ChangeEvent;
import java.util.function.LongConsumer;

/**
 * Complete WebSocket text frames (header and payload) of recent live changes, encoded once per
 * event loop into a pooled direct buffer and shared by every socket of that loop as a {@code
 * retainedDuplicate()}: the fan-out of one change to N sockets costs one encode, one copy of the
 * payload and N duplicates, not N frame objects, N encodes and N copies.
 *
 * <p>Confined to one event loop: one instance per server verticle, used only by the WebSocket
 * transports of that verticle's connections.
 *
 * <p>Bounded: a direct-mapped table of {@link #SLOTS} entries keyed by (topic, seq), so the last
 * {@code SLOTS} changes of a topic never evict each other; a frame whose payload is over {@link
 * #MAX_SHARED_BYTES} is not kept (it is encoded for the one write that asks). The table holds at
 * most {@code SLOTS × MAX_SHARED_BYTES} (16 MiB) of direct memory per event loop, in practice
 * {@code SLOTS} times the usual frame (about 400 KiB for 400-byte frames). An entry that is
 * replaced gives up the table's reference; duplicates still queued in sockets keep theirs, so the
 * memory returns to the pool once the last socket has written it.
 */
public final class WireFrames {

  /** Entries in the table (a power of two). */
  static final int SLOTS = 1024;

  /** A pool chunk is {@code pageSize << CHUNK_ORDER}: 1 MiB with Netty's 8 KiB pages. */
  static final int CHUNK_ORDER = 7;

  /** Largest payload, in bytes, whose frame is kept for sharing. */
  static final int MAX_SHARED_BYTES = 16 * 1024;

  /** A plain server frame's first byte: FIN, opcode 1 (text), no extension bit. */
  private static final int FIN_TEXT = 0x81;

  /**
   * The allocator of shared frames: a pooled one, whose {@code retainedDuplicate()} is a recycled
   * object (the adaptive allocator that Netty 4.2 gives channels by default allocates a new
   * duplicate per call, i.e. one object per change per socket).
   *
   * <p>Its own pool rather than {@link PooledByteBufAllocator#DEFAULT}, with {@link #CHUNK_ORDER}
   * chunks of 1 MiB instead of Netty's 4 MiB: each event loop takes an arena and its first chunk
   * is resident at once, while a loop's table usually holds well under 1 MiB (1,024 frames of a
   * few hundred bytes). Four loops held 16 MiB of direct memory for it (docs/benchmarks.md, "After
   * the own /ws handler"); frames over a chunk are allocated unpooled by Netty, as before.
   */
  private static final ByteBufAllocator POOLED =
      new PooledByteBufAllocator(
          true,
          0,
          PooledByteBufAllocator.defaultNumDirectArena(),
          PooledByteBufAllocator.defaultPageSize(),
          WireFrames.CHUNK_ORDER,
          PooledByteBufAllocator.defaultSmallCacheSize(),
          PooledByteBufAllocator.defaultNormalCacheSize(),
          PooledByteBufAllocator.defaultUseCacheForAllThreads());

  private final ChangeEvent[] events = new ChangeEvent[SLOTS];
  private final ByteBuf[] frames = new ByteBuf[SLOTS];

  /** The compressor, or null when compression is off; its own table of compressed frames. */
  private final Deflate deflate;

  private final ChangeEvent[] deflatedEvents;
  private final ByteBuf[] deflatedFrames;

  /** Where the sockets' flushes report the bytes they wrote (the node's counter). */
  private final LongConsumer bytesWritten;

  /** Frames of uncompressed live changes only (compression off). */
  public WireFrames() {
    this(0, 0, false);
  }

  /**
   * Frames of live changes, and with {@code compress} their permessage-deflate frames too, at
   * {@code level} for payloads of at least {@code minBytes}; written bytes counted nowhere.
   */
  public WireFrames(int level, int minBytes, boolean compress) {
    this(level, minBytes, compress, bytes -> {});
  }

  /**
   * As {@link #WireFrames(int, int, boolean)}, each socket's flush reporting the bytes of the
   * frames it wrote to {@code bytesWritten} (called on this loop, once per flush, never per frame).
   */
  public WireFrames(int level, int minBytes, boolean compress, LongConsumer bytesWritten) {
    this.deflate = compress ? new Deflate(level, minBytes) : null;
    this.deflatedEvents = compress ? new ChangeEvent[SLOTS] : null;
    this.deflatedFrames = compress ? new ByteBuf[SLOTS] : null;
    this.bytesWritten = bytesWritten;
  }

  /**
   * Whether this loop can compress for the sockets that negotiated permessage-deflate: the node
   * offers the extension ({@code compression.enabled} or a class that turns it on).
   */
  boolean compresses() {
    return deflate != null;
  }

  /** Reports {@code bytes} of frames a socket's flush sent. */
  void wrote(long bytes) {
    bytesWritten.accept(bytes);
  }

  /**
   * The compressed frame of {@code event} if it is worth compressing, else its plain frame; one
   * reference for the caller. Call only when {@link #compresses()}.
   */
  ByteBuf deflatedFrame(ChangeEvent event) {
    byte[] payload = event.frame();
    if (!deflate.worth(payload)) {
      return frame(event);
    }
    if (payload.length > MAX_SHARED_BYTES) {
      return deflate.frame(POOLED, payload);
    }
    int i = slot(event);
    if (deflatedEvents[i] != event) {
      ByteBuf old = deflatedFrames[i];
      if (old != null) {
        old.release();
      }
      deflatedFrames[i] = deflate.frame(POOLED, payload);
      deflatedEvents[i] = event;
    }
    return deflatedFrames[i].retainedDuplicate();
  }

  /** A control message's frame for one socket: compressed when worth it. */
  ByteBuf deflatedMessage(ByteBufAllocator alloc, byte[] message) {
    return deflate.worth(message) ? deflate.frame(alloc, message) : encode(alloc, message);
  }

  private static int slot(ChangeEvent event) {
    // Consecutive seqs of one topic take consecutive slots (xor with a per-topic constant is a
    // bijection on the low bits), so one topic's last SLOTS changes never collide.
    return ((int) event.seq() ^ event.topic().hashCode() * 0x9E3779B9) & (SLOTS - 1);
  }

  /**
   * The frame of {@code event}, with one reference for the caller (which hands it to a channel,
   * whose write releases it).
   */
  ByteBuf frame(ChangeEvent event) {
    byte[] payload = event.frame();
    if (payload.length > MAX_SHARED_BYTES) {
      return encode(POOLED, payload);
    }
    int i = slot(event);
    if (events[i] != event) {
      ByteBuf old = frames[i];
      if (old != null) {
        old.release();
      }
      frames[i] = encode(POOLED, payload);
      events[i] = event;
    }
    return frames[i].retainedDuplicate();
  }

  /** Gives every frame back to the pool and frees the compressor: for the verticle's stop. */
  public void close() {
    clear();
    if (deflate != null) {
      deflate.end();
    }
  }

  /** Gives every kept frame back to the pool; the table stays usable. */
  public void clear() {
    for (int i = 0; i < SLOTS; i++) {
      if (frames[i] != null) {
        frames[i].release();
        frames[i] = null;
        events[i] = null;
      }
      if (deflatedFrames != null && deflatedFrames[i] != null) {
        deflatedFrames[i].release();
        deflatedFrames[i] = null;
        deflatedEvents[i] = null;
      }
    }
  }

  /** One unmasked text frame holding {@code payload}, in a direct buffer of exactly its size. */
  static ByteBuf encode(ByteBufAllocator alloc, byte[] payload) {
    int len = payload.length;
    ByteBuf frame = header(alloc, len);
    frame.writeBytes(payload);
    return frame;
  }

  /**
   * A direct buffer of exactly the frame's size holding the header of a text frame of {@code
   * payloadLength} bytes; the caller writes the payload.
   */
  static ByteBuf header(ByteBufAllocator alloc, int payloadLength) {
    return header(alloc, payloadLength, FIN_TEXT);
  }

  /** Like {@link #header(ByteBufAllocator, int)} with {@code first} as the frame's first byte. */
  static ByteBuf header(ByteBufAllocator alloc, int payloadLength, int first) {
    int size = (payloadLength <= 125 ? 2 : payloadLength <= 0xFFFF ? 4 : 10) + payloadLength;
    ByteBuf frame = alloc.directBuffer(size, size);
    frame.writeByte(first);
    if (payloadLength <= 125) {
      frame.writeByte(payloadLength);
    } else if (payloadLength <= 0xFFFF) {
      frame.writeByte(126);
      frame.writeShort(payloadLength);
    } else {
      frame.writeByte(127);
      frame.writeLong(payloadLength);
    }
    return frame;
  }
}
