package io.slipstream.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.slipstream.core.topic.ChangeEvent;

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

  /** Largest payload, in bytes, whose frame is kept for sharing. */
  static final int MAX_SHARED_BYTES = 16 * 1024;

  /** A server frame's first byte: FIN, opcode 1 (text); no extension bits, so never compressed. */
  private static final int FIN_TEXT = 0x81;

  /**
   * The allocator of shared frames: Netty's pooled one, whose {@code retainedDuplicate()} is a
   * recycled object (the adaptive allocator that Netty 4.2 gives channels by default allocates a
   * new duplicate per call, i.e. one object per change per socket).
   */
  private static final ByteBufAllocator POOLED = PooledByteBufAllocator.DEFAULT;

  private final ChangeEvent[] events = new ChangeEvent[SLOTS];
  private final ByteBuf[] frames = new ByteBuf[SLOTS];

  /**
   * The frame of {@code event}, with one reference for the caller (which hands it to a channel,
   * whose write releases it).
   */
  ByteBuf frame(ChangeEvent event) {
    byte[] payload = event.frame();
    if (payload.length > MAX_SHARED_BYTES) {
      return encode(POOLED, payload);
    }
    // Consecutive seqs of one topic take consecutive slots (xor with a per-topic constant is a
    // bijection on the low bits), so one topic's last SLOTS changes never collide.
    int i = ((int) event.seq() ^ event.topic().hashCode() * 0x9E3779B9) & (SLOTS - 1);
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

  /** Gives every kept frame back to the pool; the table stays usable. */
  public void clear() {
    for (int i = 0; i < SLOTS; i++) {
      if (frames[i] != null) {
        frames[i].release();
        frames[i] = null;
        events[i] = null;
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
    int size = (payloadLength <= 125 ? 2 : payloadLength <= 0xFFFF ? 4 : 10) + payloadLength;
    ByteBuf frame = alloc.directBuffer(size, size);
    frame.writeByte(FIN_TEXT);
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
