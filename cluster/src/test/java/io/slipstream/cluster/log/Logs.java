package io.slipstream.cluster.log;

import io.slipstream.core.topic.ChangeOp;
import io.slipstream.core.topic.ChangeRequest;
import java.util.ArrayList;
import java.util.List;

/** Builders for the log tests: changes, appends and limits with readable defaults. */
final class Logs {

  static final LogLimits ROOMY = new LogLimits(1_000, 1_000_000, 1_000, 1_000_000);

  private Logs() {}

  static ChangeRequest upsert(String key, int v) {
    return new ChangeRequest(ChangeOp.UPDATE, key, "{\"v\":" + v + "}");
  }

  static ChangeRequest delete(String key) {
    return new ChangeRequest(ChangeOp.DELETE, key, null);
  }

  /** {@code n} upserts of keys {@code k0..}, valued {@code v}. */
  static List<ChangeRequest> upserts(int n, int v) {
    List<ChangeRequest> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(upsert("k" + i, v));
    }
    return out;
  }

  static Append append(String publishId, List<ChangeRequest> changes, String epoch, LogLimits l) {
    return new Append(publishId, AppendRequest.hashOf(changes), 1_000, changes, epoch, l);
  }

  static Append append(String publishId, List<ChangeRequest> changes) {
    return append(publishId, changes, "e1", ROOMY);
  }
}
