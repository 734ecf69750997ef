package io.slipstream.cluster.feed;

import com.hazelcast.internal.nio.BufferObjectDataInput;
import com.hazelcast.internal.nio.BufferObjectDataOutput;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import io.slipstream.cluster.log.LogWire;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The event-bus codec of {@link FeedBatch}: between nodes a batch travels as bytes, its changes in
 * the topic log's own serialized form ({@link LogWire#writeChanges}, which writes a publish's id
 * once for all its changes); on this node it is handed over as the same immutable instance.
 *
 * <p>Stateless and thread-safe. Every node registers it under {@link #NAME} (vertx5.md §4: the
 * receiver looks the codec up by the name the sender wrote).
 *
 * <p>Wire form: {@code int length} then {@code length} bytes of {@code byte FORMAT, String topic,
 * String epoch, long firstSeq, changes}, in Hazelcast's data-output encoding (big-endian, strings
 * UTF-8 with a length), so the log's writers are reused as they are. The serialization service is
 * Hazelcast's plain one without any factory: only its byte streams are used.
 */
final class FeedBatchCodec implements MessageCodec<FeedBatch, FeedBatch> {

  /** The codec's name, the same on every node. */
  static final String NAME = "slipstream.feed-batch";

  private static final byte FORMAT = 1;

  /** A batch's fixed fields take about this much beside its changes; a first guess, it grows. */
  private static final int INITIAL_BYTES = 256;

  private static final InternalSerializationService STREAMS =
      new DefaultSerializationServiceBuilder().build();

  @Override
  public void encodeToWire(Buffer buffer, FeedBatch b) {
    BufferObjectDataOutput out = STREAMS.createObjectDataOutput(INITIAL_BYTES);
    try {
      out.writeByte(FORMAT);
      out.writeString(b.topic());
      out.writeString(b.epoch());
      out.writeLong(b.firstSeq());
      LogWire.writeChanges(out, b.changes());
      byte[] bytes = out.toByteArray();
      buffer.appendInt(bytes.length).appendBytes(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + b, e);
    }
  }

  @Override
  public FeedBatch decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    byte[] bytes = buffer.getBytes(pos + Integer.BYTES, pos + Integer.BYTES + length);
    BufferObjectDataInput in = STREAMS.createObjectDataInput(bytes);
    try {
      LogWire.checkFormat(in.readByte(), FORMAT, "FeedBatch");
      String topic = in.readString();
      String epoch = in.readString();
      long firstSeq = in.readLong();
      return new FeedBatch(topic, epoch, firstSeq, List.copyOf(LogWire.readChanges(in)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot decode a FeedBatch", e);
    }
  }

  /** Local delivery shares the batch: it is immutable (vertx5.md §4). */
  @Override
  public FeedBatch transform(FeedBatch b) {
    return b;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
