package io.slipstream.server.fuzz;

import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.fuzz.ContractOracle.IdCheck;
import java.io.IOException;
import java.math.BigInteger;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Drives one connection: sends generated frames in bursts, each burst followed by a barrier
 * {@code ping} once {@code hello} is done, and checks everything the server sends against what
 * {@link ConnectionModel} says it must send (docs/protocol.md): the control replies in order, each
 * subscription's stream value by value, the close and its code, and nothing else.
 *
 * <p>A burst ends at a frame that starts a subscription stream (the next burst waits for the
 * stream to end: a later unsubscribe could otherwise race the subscription's join) or that closes
 * the connection. On the first departure the connection is cut and the departure returned; which
 * frame of a burst caused it is not always clear from the answers (a missing {@code error} looks
 * like the next frame's), so {@link #replay} sends the same frames again on a fresh connection,
 * one per burst.
 *
 * <p>Confined to one worker thread.
 */
final class FuzzConnection {

  /** Where frames come from: the generator, or a recorded list (null when exhausted). */
  interface Source {
    Frame next(ConnectionModel model, boolean webSocket);
  }

  /**
   * The first departure from the contract on a connection.
   *
   * @param cause the frame whose expected answer did not come (null: none in particular)
   * @param frames the frames sent so far, barriers left out
   * @param burst how many frames the failing burst held
   */
  record Departure(String transport, Frame cause, String what, List<Frame> frames, int burst) {}

  /** How a connection went: frames sent, and its departure or null. */
  record Result(int sent, Departure departure) {}

  /** Counters shared by every connection of a run: frames by rule, closes by code. */
  static final class Tally {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    void add(String key) {
      counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    long get(String key) {
      LongAdder a = counts.get(key);
      return a == null ? 0 : a.sum();
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      new java.util.TreeMap<>(counts).forEach((k, v) -> sb.append(k).append('=').append(v.sum()).append(' '));
      return sb.toString().trim();
    }
  }

  private static final Set<String> STREAM_TYPES =
      Set.of("subscribed", "snapshot", "change", "reset", "dropped", "conflated");
  /** Barrier rounds (and ms) to wait for a subscription that was expected but not announced. */
  private static final int ANNOUNCE_ROUNDS = 20;
  private static final long ANNOUNCE_MS = 200;

  private final Wire wire;
  private final ConnectionModel model;
  private final Source source;
  private final TopicFixture topics;
  private final SlipstreamConfig config;
  private final Tally tally;
  /** Burst sizes; null: one frame per burst. */
  private final Random random;

  private final ArrayDeque<Expected.Reply> control = new ArrayDeque<>();
  private final Map<String, StreamCheck> streams = new HashMap<>();
  private Expected.Close close;
  /** The generated frames sent (barriers left out), for a departure's reproduction. */
  private final List<Frame> history = new ArrayList<>();
  private long barriers;
  private int burstSize;
  private boolean over;
  private Departure departure;

  /**
   * @param random burst sizes (three in ten one frame, the others two to twelve); null sends one
   *     frame per burst, as a replay does
   */
  FuzzConnection(
      Wire wire,
      ConnectionModel model,
      Source source,
      TopicFixture topics,
      SlipstreamConfig config,
      Tally tally,
      Random random) {
    this.wire = wire;
    this.model = model;
    this.source = source;
    this.topics = topics;
    this.config = config;
    this.tally = tally;
    this.random = random;
  }

  /**
   * Sends up to {@code quota} frames from the source (fewer when the server closes as it must or
   * departs from the contract). Closes the connection before returning.
   */
  Result run(int quota) throws IOException {
    int sent = 0;
    try {
      while (sent < quota && !model.closed()) {
        List<Frame> burst = new ArrayList<>();
        int size = random == null ? 1 : random.nextInt(10) < 3 ? 1 : 2 + random.nextInt(11);
        int skips = 0;
        while (burst.size() < size && sent + burst.size() < quota && skips < 100) {
          Frame f = source.next(model, wire.kind().equals("websocket"));
          if (f == null) {
            break;
          }
          List<Expected> expected = model.apply(f);
          if (expected == null) {
            tally.add("skipped (left open by the contract)");
            skips++;
            continue;
          }
          burst.add(f);
          if (random != null) {
            tally.add("frames " + rule(f.kind()));
          }
          if (expect(expected)) {
            break;
          }
        }
        if (burst.isEmpty()) {
          break;
        }
        sent += burst.size();
        history.addAll(burst);
        burstSize = burst.size();
        if (!model.closed() && model.helloDone()) {
          burst.add(barrier());
        }
        try {
          wire.send(burst);
        } catch (IOException e) {
          // Only a connection the server is cutting may refuse bytes (a frame over the limit).
          if (close == null) {
            fail(null, "the connection broke while sending: " + e);
            return new Result(sent, departure);
          }
        }
        if (!await()) {
          return new Result(sent, departure);
        }
      }
      if (!model.closed()) {
        for (String late : wire.closeGracefully()) {
          if (!isHeartbeat(late)) {
            fail(null, "a message after every expected reply: " + late);
            break;
          }
        }
      }
      return new Result(sent, departure);
    } finally {
      wire.close();
    }
  }

  /**
   * Sends {@code frames} again on {@code wire} (a fresh connection of the same transport), one
   * per burst, and returns its departure: the same frames' first departure, now attributed to
   * exactly one frame; null when they pass one at a time.
   */
  static Departure replay(
      Wire wire, ConnectionModel model, List<Frame> frames, TopicFixture topics, SlipstreamConfig config, Tally tally)
      throws IOException {
    java.util.Iterator<Frame> it = frames.iterator();
    Source source = (m, ws) -> it.hasNext() ? it.next() : null;
    return new FuzzConnection(wire, model, source, topics, config, tally, null).run(frames.size()).departure();
  }

  private static String rule(String kind) {
    int slash = kind.indexOf('/');
    return slash < 0 ? kind : kind.substring(0, slash);
  }

  /** Queues what {@code expected} calls for; true when it ends the burst. */
  private boolean expect(List<Expected> expected) {
    boolean endsBurst = false;
    for (Expected e : expected) {
      if (e instanceof Expected.Reply) {
        control.add((Expected.Reply) e);
      } else if (e instanceof Expected.Stream) {
        Expected.Stream s = (Expected.Stream) e;
        streams.put(s.topic(), new StreamCheck(s, topics.get(s.topic())));
        endsBurst = true;
      } else {
        close = (Expected.Close) e;
        endsBurst = true;
      }
    }
    return endsBurst;
  }

  private Frame barrier() {
    Frame b = Frame.text("barrier", "{\"type\":\"ping\",\"id\":\"~barrier-" + (++barriers) + "\"}");
    expect(model.apply(b));
    return b;
  }

  /** Reads until every expectation is met; false (connection over) on a close or a departure. */
  private boolean await() throws IOException {
    int rounds = 0;
    long announceSince = -1;
    while (true) {
      if (control.isEmpty() && close == null) {
        StreamCheck unannounced = null;
        boolean pending = false;
        for (StreamCheck s : streams.values()) {
          pending |= !s.complete();
          if (!s.announced()) {
            unannounced = s;
          }
        }
        if (!pending) {
          return true;
        }
        if (unannounced != null) {
          // subscribed follows the hub's join, which may complete after later replies: ask
          // again with barriers before calling it missing.
          long now = System.nanoTime();
          announceSince = announceSince < 0 ? now : announceSince;
          if (rounds++ >= ANNOUNCE_ROUNDS && now - announceSince > ANNOUNCE_MS * 1_000_000) {
            fail(unannounced.expected.cause(), "no subscribed for " + unannounced.expected.topic()
                + " (expected " + unannounced.describe() + ")");
            return false;
          }
          wire.send(List.of(barrier()));
        }
      }
      Wire.In in;
      try {
        in = wire.read();
      } catch (SocketTimeoutException e) {
        fail(firstCause(), "nothing within the read timeout while expecting " + expecting());
        return false;
      }
      if (in.isClose()) {
        return closed(in.closeCode());
      }
      Object parsed;
      try {
        parsed = StrictJson.parse(in.text());
      } catch (StrictJson.Malformed | StrictJson.Ambiguous e) {
        fail(firstCause(), "the server sent a frame that is not strict JSON (" + e.getMessage() + "): " + in.text());
        return false;
      }
      List<Object> messages;
      if (parsed instanceof List) {
        if (!model.batch()) {
          fail(firstCause(), "an array frame to a client that did not ask for batches: " + in.text());
          return false;
        }
        @SuppressWarnings("unchecked")
        List<Object> l = (List<Object>) parsed;
        messages = l;
      } else {
        messages = List.of(parsed);
      }
      for (Object o : messages) {
        if (!(o instanceof Map)) {
          fail(firstCause(), "a message that is not an object: " + in.text());
          return false;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) o;
        if (!accept(m)) {
          return false;
        }
        if (over) {
          return false;
        }
      }
    }
  }

  private boolean isHeartbeat(String text) {
    try {
      Object o = StrictJson.parse(text);
      return o instanceof Map && "ping".equals(((Map<?, ?>) o).get("type")) && !((Map<?, ?>) o).containsKey("id");
    } catch (StrictJson.Malformed | StrictJson.Ambiguous e) {
      return false;
    }
  }

  /** Checks one message; false after a departure. */
  private boolean accept(Map<String, Object> m) {
    Object type = m.get("type");
    if ("ping".equals(type) && !m.containsKey("id")) {
      return true; // a SockJS heartbeat, sent at any time
    }
    if ("close".equals(type) && wire.kind().equals("sockjs")) {
      // Over SockJS the close code travels in a last message (docs/protocol.md).
      Object code = m.get("code");
      closed(code instanceof BigInteger ? ((BigInteger) code).intValue() : -1);
      return false;
    }
    if (STREAM_TYPES.contains(type)) {
      Object topic = m.get("topic");
      StreamCheck s = streams.get(topic);
      if (s == null || s.complete()) {
        fail(firstCause(), "a " + type + " for " + topic + ", which has no open stream: " + m);
        return false;
      }
      String problem = s.accept(m);
      if (problem != null) {
        fail(s.expected.cause(), problem);
        return false;
      }
      return true;
    }
    Expected.Reply e = control.poll();
    if (e == null) {
      fail(lastCause(), "a reply nothing asked for: " + m);
      return false;
    }
    String problem = check(e, m);
    if (problem != null) {
      fail(e.cause(), problem);
      return false;
    }
    return true;
  }

  /** The close with {@code code}; true never (the connection is over either way). */
  private boolean closed(int code) {
    over = true;
    tally.add("closed " + code);
    if (close == null) {
      fail(firstCause(), "closed " + code + " while expecting " + expecting());
    } else if (code == 1006 && close.codes().contains(1006)) {
      // Cut at the transport: the TCP reset may destroy replies still on their way to the client.
      control.clear();
    } else if (!control.isEmpty()) {
      fail(control.peek().cause(), "closed " + code + " before " + expecting());
    } else if (!close.codes().contains(code)) {
      fail(close.cause(), "closed " + code + ", expected one of " + close.codes());
    } else {
      // Answer the server's close so it does not wait for ours.
      wire.closeGracefully();
    }
    return false;
  }

  private String check(Expected.Reply e, Map<String, Object> m) {
    String type = (String) m.get("type");
    if (!e.type().equals(type)) {
      return "expected " + e.type() + (e.type().equals("error") ? " (" + reason(e.cause()) + ")" : "") + ", got " + m;
    }
    if (!e.id().accepts(m.get("id"))) {
      return "expected id " + e.id() + ", got " + m;
    }
    switch (type) {
      case "error":
        if (!(m.get("code") instanceof String) || !(m.get("message") instanceof String)) {
          return "an error without code or message: " + m;
        }
        return e.codes().contains(m.get("code"))
            ? null
            : "expected error " + e.codes() + " (" + reason(e.cause()) + "), got " + m;
      case "unsubscribed":
        return e.topic().equals(m.get("topic")) ? null : "unsubscribed for another topic: " + m;
      case "welcome":
        return welcome(m);
      default:
        return null;
    }
  }

  private String welcome(Map<String, Object> m) {
    Object buffer = m.get("buffer");
    boolean ok =
        m.get("session") instanceof String
            && !((String) m.get("session")).isEmpty()
            && m.get("resume") instanceof String
            && !((String) m.get("resume")).isEmpty()
            && Boolean.FALSE.equals(m.get("resumed"))
            && BigInteger.valueOf(config.heartbeatMs()).equals(m.get("heartbeatMs"))
            && buffer instanceof Map
            && BigInteger.valueOf(config.buffer().maxEvents()).equals(((Map<?, ?>) buffer).get("max"))
            && BigInteger.valueOf(config.buffer().maxBytes()).equals(((Map<?, ?>) buffer).get("maxBytes"))
            && config.buffer().policy().wireName().equals(((Map<?, ?>) buffer).get("policy"));
    return ok ? null : "a welcome without session, resume, resumed: false, heartbeatMs or buffer: " + m;
  }

  private String reason(Frame f) {
    if (f.isBinary()) {
      return "a binary frame";
    }
    ContractOracle.Verdict v = new ContractOracle(topics, config.maxSubscriptions()).classify(f.text());
    return v.kind() == ContractOracle.Kind.MALFORMED ? "malformed: " + v.reason() : "valid " + v.kind() + " refused in this state";
  }

  private String expecting() {
    List<String> parts = new ArrayList<>();
    for (Expected.Reply r : control) {
      parts.add(r.type() + (r.id().checked() && r.id().value() != null ? " id " + r.id() : ""));
    }
    for (StreamCheck s : streams.values()) {
      if (!s.complete()) {
        parts.add(s.describe());
      }
    }
    if (close != null) {
      parts.add("close " + close.codes());
    }
    return parts.isEmpty() ? "nothing" : String.join(", ", parts);
  }

  private Frame firstCause() {
    if (!control.isEmpty()) {
      return control.peek().cause();
    }
    for (StreamCheck s : streams.values()) {
      if (!s.complete()) {
        return s.expected.cause();
      }
    }
    return close != null ? close.cause() : lastCause();
  }

  /** The last generated frame sent. */
  private Frame lastCause() {
    return history.isEmpty() ? null : history.get(history.size() - 1);
  }

  private void fail(Frame cause, String what) {
    over = true;
    if (departure == null) {
      departure = new Departure(wire.kind(), cause, what, List.copyOf(history), burstSize);
    }
  }

  /** One subscription's stream, checked message by message against the fixture. */
  private static final class StreamCheck {
    private enum Step {
      SUBSCRIBED,
      BEGIN,
      ROWS,
      END,
      REPLAY,
      COMPLETE
    }

    final Expected.Stream expected;
    private final TopicFixture.Topic topic;
    private Step step = Step.SUBSCRIBED;
    private final Set<String> rowsSeen = new HashSet<>();
    private long next;

    StreamCheck(Expected.Stream expected, TopicFixture.Topic topic) {
      this.expected = expected;
      this.topic = topic;
    }

    boolean announced() {
      return step != Step.SUBSCRIBED;
    }

    boolean complete() {
      return step == Step.COMPLETE;
    }

    String describe() {
      return (expected.snapshot() ? "snapshot of " : "replay after " + expected.seq() + " of ") + expected.topic()
          + " at step " + step;
    }

    /** Checks {@code m}, the stream's next message; a problem in words, or null. */
    String accept(Map<String, Object> m) {
      Object type = m.get("type");
      switch (step) {
        case SUBSCRIBED:
          if (!"subscribed".equals(type)
              || !topic.epoch().equals(m.get("epoch"))
              || !BigInteger.valueOf(expected.seq()).equals(m.get("seq"))
              || !(expected.snapshot() ? "snapshot" : "replay").equals(m.get("mode"))
              || !expected.id().accepts(m.get("id"))) {
            return "expected subscribed " + describe() + " (epoch " + topic.epoch() + ", id " + expected.id() + "), got " + m;
          }
          if (expected.snapshot()) {
            step = Step.BEGIN;
          } else {
            next = expected.seq() + 1;
            step = next > topic.seq() ? Step.COMPLETE : Step.REPLAY;
          }
          return null;
        case BEGIN:
          if (!"snapshot".equals(type)
              || !"begin".equals(m.get("phase"))
              || !atSnapshot(m)
              || !BigInteger.valueOf(topic.rows().size()).equals(m.get("size"))) {
            return "expected snapshot begin (size " + topic.rows().size() + ") of " + describe() + ", got " + m;
          }
          step = topic.rows().isEmpty() ? Step.END : Step.ROWS;
          return null;
        case ROWS:
          {
            Object key = m.get("key");
            if (!"change".equals(type)
                || !Boolean.TRUE.equals(m.get("snapshot"))
                || !atSnapshot(m)
                || !"INSERT".equals(m.get("op"))
                || !topic.rows().containsKey(key)
                || !rowsSeen.add((String) key)
                || !topic.rows().get(key).equals(m.get("row"))) {
              return "expected a snapshot row of " + describe() + " (rows " + topic.rows().keySet() + ", seen "
                  + rowsSeen + "), got " + m;
            }
            if (rowsSeen.size() == topic.rows().size()) {
              step = Step.END;
            }
            return null;
          }
        case END:
          if (!"snapshot".equals(type) || !"end".equals(m.get("phase")) || !atSnapshot(m)) {
            return "expected snapshot end of " + describe() + ", got " + m;
          }
          step = Step.COMPLETE;
          return null;
        case REPLAY:
          {
            TopicFixture.Change c = topic.change(next);
            if (!"change".equals(type)
                || m.containsKey("snapshot")
                || !topic.epoch().equals(m.get("epoch"))
                || !BigInteger.valueOf(next).equals(m.get("seq"))
                || !c.op().equals(m.get("op"))
                || !c.key().equals(m.get("key"))
                || !(c.row() == null ? !m.containsKey("row") : c.row().equals(m.get("row")))) {
              return "expected change " + next + " (" + c + ") of " + describe() + ", got " + m;
            }
            next++;
            if (next > topic.seq()) {
              step = Step.COMPLETE;
            }
            return null;
          }
        default:
          return "a message after the end of " + describe() + ": " + m;
      }
    }

    private boolean atSnapshot(Map<String, Object> m) {
      return topic.epoch().equals(m.get("epoch")) && BigInteger.valueOf(topic.seq()).equals(m.get("seq"));
    }
  }
}
