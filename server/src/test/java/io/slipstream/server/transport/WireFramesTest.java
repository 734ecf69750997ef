package io.slipstream.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.ChangeOp;
import io.slipstream.server.protocol.ChangeFrames;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-loop table of shared frames: encoded once, bounded, and giving memory back. */
class WireFramesTest {

  private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
  private final WireFrames frames = new WireFrames();

  /**
   * The buffer {@code b} shares memory with at the bottom of its wrappers. Regression: the tests
   * compared {@code unwrap()}, which Netty's sampling leak detector makes one wrapper deep for about
   * one buffer in 128 (a {@code SimpleLeakAwareByteBuf} around the duplicate), so they failed at a
   * random seq although the frames were shared.
   */
  private static ByteBuf root(ByteBuf b) {
    ByteBuf r = b;
    while (r.unwrap() != null) {
      r = r.unwrap();
    }
    return r;
  }

  private static ChangeEvent change(String topic, long seq, int rowBytes) {
    String row = "{\"p\":\"" + "x".repeat(Math.max(0, rowBytes - 8)) + "\"}";
    return new ChangeEvent(topic, "e", seq, ChangeOp.UPDATE, "k", row, 1L, ChangeFrames.INSTANCE);
  }

  @Test
  void everyWriterOfAChangeGetsADuplicateOfOneEncodedFrame() {
    ChangeEvent e = change("t", 1, 256);
    ByteBuf a = frames.frame(e);
    ByteBuf b = frames.frame(e);
    ByteBuf shared = root(a);
    assertThat(root(b)).isSameAs(shared);
    // The table's reference and the two writers'.
    assertThat(shared.refCnt()).isEqualTo(3);
    assertThat(a.isDirect()).isTrue();
    byte[] wire = new byte[a.readableBytes()];
    a.getBytes(a.readerIndex(), wire);
    int len = e.frame().length;
    assertThat(wire[0] & 0xFF).isEqualTo(0x81);
    assertThat(wire[1] & 0xFF).isEqualTo(126);
    assertThat(((wire[2] & 0xFF) << 8) | (wire[3] & 0xFF)).isEqualTo(len);
    assertThat(java.util.Arrays.copyOfRange(wire, 4, wire.length)).isEqualTo(e.frame());
    a.release();
    b.release();
    frames.clear();
    assertThat(shared.refCnt()).isZero();
  }

  @Test
  void aTopicsLastSlotsChangesStayShared() {
    List<ChangeEvent> events = new ArrayList<>();
    List<ByteBuf> first = new ArrayList<>();
    for (int seq = 1000; seq < 1000 + WireFrames.SLOTS; seq++) {
      ChangeEvent e = change("topic-a", seq, 40);
      events.add(e);
      first.add(frames.frame(e));
    }
    for (int i = 0; i < events.size(); i++) {
      ByteBuf again = frames.frame(events.get(i));
      assertThat(root(again)).as("seq %d", events.get(i).seq()).isSameAs(root(first.get(i)));
      again.release();
      first.get(i).release();
    }
    frames.clear();
  }

  @Test
  void aReplacedFrameIsFreedOnceItsLastWriterIsDone() {
    ChangeEvent old = change("t", 5, 40);
    ChangeEvent next = change("t", 5 + WireFrames.SLOTS, 40);
    ByteBuf queued = frames.frame(old);
    ByteBuf table = root(queued);
    ByteBuf other = frames.frame(next); // same slot: the table lets go of the old frame
    assertThat(table.refCnt()).isEqualTo(1);
    queued.release();
    assertThat(table.refCnt()).isZero();
    other.release();
    frames.clear();
  }

  @Test
  void aFrameOverTheSharedBoundIsNotKept() {
    ChangeEvent big = change("t", 1, WireFrames.MAX_SHARED_BYTES + 100);
    ByteBuf a = frames.frame(big);
    ByteBuf b = frames.frame(big);
    assertThat(a).isNotSameAs(b);
    assertThat(a.refCnt()).isEqualTo(1);
    assertThat(a.getByte(1) & 0xFF).isEqualTo(126);
    a.release();
    b.release();
  }

  @Test
  void headerLengthForms() {
    assertThat(WireFrames.encode(alloc, new byte[125]).getByte(1)).isEqualTo((byte) 125);
    ByteBuf big = WireFrames.encode(alloc, new byte[70_000]);
    assertThat(big.getByte(1) & 0xFF).isEqualTo(127);
    assertThat(big.getLong(2)).isEqualTo(70_000);
    assertThat(big.readableBytes()).isEqualTo(70_010);
    big.release();
  }
}
