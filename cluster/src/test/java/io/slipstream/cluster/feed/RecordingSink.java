package io.slipstream.cluster.feed;

import io.slipstream.cluster.log.LoggedChange;
import java.util.ArrayList;
import java.util.List;

/** A {@link FeedSink} that records every delivered seq, fill request and resync, in order. */
final class RecordingSink implements FeedSink {

  /** A fill request: {@code (afterSeq, toSeq]} of {@code epoch}. */
  record Fill(String epoch, long afterSeq, long toSeq) {}

  final List<Long> seqs = new ArrayList<>();
  final List<LoggedChange> changes = new ArrayList<>();
  final List<Fill> fills = new ArrayList<>();
  int resyncs;

  @Override
  public void deliver(FeedBatch batch, int fromIndex) {
    for (int i = fromIndex; i < batch.size(); i++) {
      seqs.add(batch.firstSeq() + i);
      changes.add(batch.changes().get(i));
    }
  }

  @Override
  public void fill(String topic, String epoch, long afterSeq, long toSeq) {
    fills.add(new Fill(epoch, afterSeq, toSeq));
  }

  @Override
  public void resync(String topic) {
    resyncs++;
  }

  Fill lastFill() {
    return fills.isEmpty() ? null : fills.get(fills.size() - 1);
  }
}
