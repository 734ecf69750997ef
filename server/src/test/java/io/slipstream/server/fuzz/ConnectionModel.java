package io.slipstream.server.fuzz;

import io.slipstream.server.fuzz.ContractOracle.IdCheck;
import io.slipstream.server.fuzz.ContractOracle.Pos;
import io.slipstream.server.fuzz.ContractOracle.Verdict;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One connection as the contract says the server must see it (docs/protocol.md): whether {@code
 * hello} was received, whether the client asked for batches, which topics it subscribes to, and
 * how many errors it caused. {@link #apply} turns a frame into what the server must send for it
 * and advances the state as the server must.
 *
 * <p>The error budget: more than 20 errors in 10 s close with 4004 and the 21st error is not
 * sent. The fuzz keeps each connection well under 10 s, so every error counts.
 *
 * <p>Confined to the worker thread that drives the connection.
 */
final class ConnectionModel {

  /** Errors a connection may cause (within 10 s) before the next one closes it with 4004. */
  static final int ERROR_BUDGET = 20;

  private final ContractOracle oracle;
  private final TopicFixture topics;
  private final int maxFrameBytes;
  private final int maxSubscriptions;

  private boolean helloDone;
  private boolean batch;
  private boolean closed;
  private int errors;
  /** Insertion-ordered, so that generators that pick from it stay reproducible. */
  private final Set<String> subscribed = new LinkedHashSet<>();

  ConnectionModel(ContractOracle oracle, TopicFixture topics, int maxFrameBytes, int maxSubscriptions) {
    this.oracle = oracle;
    this.topics = topics;
    this.maxFrameBytes = maxFrameBytes;
    this.maxSubscriptions = maxSubscriptions;
  }

  boolean helloDone() {
    return helloDone;
  }

  boolean batch() {
    return batch;
  }

  boolean closed() {
    return closed;
  }

  int errors() {
    return errors;
  }

  Set<String> subscribed() {
    return Collections.unmodifiableSet(subscribed);
  }

  /**
   * What the server must send for {@code f}, with the state advanced; null (state unchanged) when
   * the contract leaves the frame's treatment open, so it must not be sent.
   */
  List<Expected> apply(Frame f) {
    if (closed) {
      throw new IllegalStateException("the connection is closed");
    }
    int bytes = f.bytes();
    if (bytes > maxFrameBytes) {
      closed = true;
      // Over 4 x maxFrameBytes the WebSocket layer may cut the connection without a close frame.
      Set<Integer> codes = bytes > 4L * maxFrameBytes ? Set.of(1009, 1006) : Set.of(1009);
      return List.of(new Expected.Close(codes, f));
    }
    if (f.isBinary()) {
      return error(IdCheck.ABSENT, f, "binary-not-supported");
    }
    Verdict v = oracle.classify(f.text());
    switch (v.kind()) {
      case SKIP:
        return null;
      case MALFORMED:
        return error(v.id(), f, v.codes());
      default:
        break;
    }
    if (v.kind() != ContractOracle.Kind.HELLO && !helloDone) {
      return error(v.id(), f, "hello-required");
    }
    switch (v.kind()) {
      case HELLO:
        return hello(v, f);
      case SUBSCRIBE:
        return subscribe(v, f);
      case UNSUBSCRIBE:
        if (!subscribed.remove(v.topic())) {
          return error(v.id(), f, "not-subscribed");
        }
        return List.of(new Expected.Reply("unsubscribed", v.id(), v.topic(), f));
      case ACK:
        return subscribed.contains(v.topic()) ? List.of() : error(v.id(), f, "not-subscribed");
      case PING:
        return List.of(new Expected.Reply("pong", v.id(), null, f));
      case PONG:
        return List.of();
      default:
        throw new AssertionError(v.kind());
    }
  }

  private List<Expected> hello(Verdict v, Frame f) {
    if (helloDone) {
      return error(v.id(), f, "already-hello");
    }
    helloDone = true;
    batch = v.batch();
    List<Expected> out = new ArrayList<>();
    // welcome does not echo the id (docs/protocol.md lists subscribed, unsubscribed, error, pong).
    out.add(new Expected.Reply("welcome", IdCheck.ANY, null, f));
    // Every topic named in positions is subscribed from that position, on a fresh session too
    // (contract 1.1 §3); the oracle only lets through positions the replay log covers.
    for (Map.Entry<String, Pos> p : v.positions().entrySet()) {
      subscribed.add(p.getKey());
      out.add(new Expected.Stream(p.getKey(), IdCheck.ABSENT, false, p.getValue().seq(), f));
    }
    return out;
  }

  private List<Expected> subscribe(Verdict v, Frame f) {
    TopicFixture.Topic t = topics.get(v.topic());
    // The node holds maxTopics topics, the fixture's: any other is topic-limit.
    boolean topicLimit = t == null;
    boolean subscriptionLimit = !subscribed.contains(v.topic()) && subscribed.size() >= maxSubscriptions;
    if (topicLimit && subscriptionLimit) {
      // Which of the two limits is checked first is not documented.
      return error(v.id(), f, Set.of("topic-limit", "too-many-subscriptions"));
    }
    if (topicLimit) {
      return error(v.id(), f, "topic-limit");
    }
    if (subscriptionLimit) {
      return error(v.id(), f, "too-many-subscriptions");
    }
    subscribed.add(v.topic());
    Pos from = v.from();
    // from covered (same epoch, not ahead): replay; else (none, another epoch, a future seq):
    // snapshot.
    if (from != null && from.epoch().equals(t.epoch()) && from.seq() <= t.seq()) {
      return List.of(new Expected.Stream(t.name(), v.id(), false, from.seq(), f));
    }
    return List.of(new Expected.Stream(t.name(), v.id(), true, t.seq(), f));
  }

  private List<Expected> error(IdCheck id, Frame f, String code) {
    return error(id, f, Set.of(code));
  }

  /** An error with one of {@code codes} (docs/protocol.md, errors), or 4004 past the budget. */
  private List<Expected> error(IdCheck id, Frame f, Set<String> codes) {
    errors++;
    if (errors > ERROR_BUDGET) {
      closed = true;
      return List.of(new Expected.Close(Set.of(4004), f));
    }
    return List.of(new Expected.Reply("error", id, null, codes, f));
  }
}
