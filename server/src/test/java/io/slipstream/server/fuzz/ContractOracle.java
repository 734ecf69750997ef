package io.slipstream.server.fuzz;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Classifies one client text frame by the wire contract alone (docs/protocol.md, client to
 * server), independently of the server's parser: malformed (the server must answer {@code
 * error}), one of the client messages with its checked fields, or {@link Kind#SKIP} for frames
 * whose treatment the contract leaves open, which the fuzz does not send.
 *
 * <p>What counts as malformed: not strict JSON ({@link StrictJson}), not an object, {@code type}
 * missing, not a string or unknown, a required field missing, a field of the wrong type, a topic
 * name outside {@code [A-Za-z0-9._-]{1,128}}, a seq or position that is not an integer {@code >=
 * 0}, an {@code id} that is neither a string nor a number. Unknown fields are allowed. Left open,
 * hence skipped: JSON {@code null} for an optional field, an {@code id} that is a non-integer or
 * beyond 64 bits or a string over 256 characters, strings over 128 characters where the server
 * may bound them, a seq written with a fraction or exponent or beyond 64 bits, {@code qos} that
 * is not a string,
 * duplicate names, and {@code hello.positions} naming a position the fuzz cannot predict
 * (another epoch, a future seq, a topic outside the fixture, more than {@code maxSubscriptions}).
 * A frame that is malformed for one reason is malformed, whatever else is open about it.
 *
 * <p>Stateless and thread-safe.
 */
final class ContractOracle {

  /** What a frame is. */
  enum Kind {
    SKIP,
    MALFORMED,
    HELLO,
    SUBSCRIBE,
    UNSUBSCRIBE,
    ACK,
    PING,
    PONG
  }

  /** How a reply's {@code id} must look: absent, equal to a value, or not checked. */
  record IdCheck(boolean checked, Object value) {
    static final IdCheck ABSENT = new IdCheck(true, null);
    static final IdCheck ANY = new IdCheck(false, null);

    static IdCheck of(Object v) {
      return new IdCheck(true, v);
    }

    /** Whether the reply field {@code actual} (a StrictJson value, null when absent) fits. */
    boolean accepts(Object actual) {
      if (!checked) {
        return true;
      }
      if (value == null) {
        return actual == null;
      }
      if (value instanceof Long) {
        return actual instanceof BigInteger && ((BigInteger) actual).equals(BigInteger.valueOf((Long) value));
      }
      return value.equals(actual);
    }

    @Override
    public String toString() {
      return !checked ? "any" : value == null ? "absent" : String.valueOf(value);
    }
  }

  /** A position {@code {epoch, seq}}. */
  record Pos(String epoch, long seq) {}

  /** The error code of a frame that is not JSON or not an object (docs/protocol.md, errors). */
  static final Set<String> NOT_JSON = Set.of("bad-json");
  /**
   * The error codes of a JSON object that breaks the message rules. Which one a frame with
   * several faults gets is not documented, so any of them (or hello-required, before hello).
   */
  static final Set<String> BAD_MESSAGE =
      Set.of("bad-message", "unknown-type", "bad-topic", "bad-position", "hello-required");

  /**
   * The classification of one frame; {@code codes} are the error codes a malformed frame may
   * get.
   */
  record Verdict(
      Kind kind,
      IdCheck id,
      String topic,
      Pos from,
      Map<String, Pos> positions,
      boolean batch,
      String reason,
      Set<String> codes) {

    Verdict(Kind kind, IdCheck id, String topic, Pos from, Map<String, Pos> positions, boolean batch, String reason) {
      this(kind, id, topic, from, positions, batch, reason, Set.of());
    }

    static Verdict skip(String reason) {
      return new Verdict(Kind.SKIP, IdCheck.ANY, null, null, Map.of(), false, reason);
    }

    static Verdict malformed(IdCheck id, String reason) {
      return new Verdict(Kind.MALFORMED, id, null, null, Map.of(), false, reason, BAD_MESSAGE);
    }

    static Verdict notJson(String reason) {
      return new Verdict(Kind.MALFORMED, IdCheck.ABSENT, null, null, Map.of(), false, reason, NOT_JSON);
    }
  }

  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,128}");
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);
  /** Strings the server may bound (clientId: 128) are only sent up to this length. */
  static final int SAFE_STRING = 128;
  /** {@code id} strings are only sent up to this length. */
  static final int SAFE_ID = 256;

  private final TopicFixture topics;
  private final int maxSubscriptions;

  ContractOracle(TopicFixture topics, int maxSubscriptions) {
    this.topics = topics;
    this.maxSubscriptions = maxSubscriptions;
  }

  /** Classifies {@code text}. */
  Verdict classify(String text) {
    Object root;
    try {
      root = StrictJson.parse(text);
    } catch (StrictJson.Malformed e) {
      return Verdict.notJson("not JSON: " + e.getMessage());
    } catch (StrictJson.Ambiguous e) {
      // A text that is not an object is malformed whatever its depth or numbers.
      String t = text.strip();
      return t.startsWith("{") ? Verdict.skip(e.getMessage()) : Verdict.notJson("not an object");
    }
    if (!(root instanceof Map)) {
      return Verdict.notJson("not an object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) root;
    Check c = new Check();
    IdCheck id = id(m.get("id"), c);
    Object type = m.get("type");
    if (!(type instanceof String)) {
      return Verdict.malformed(id, "type is not a string");
    }
    Verdict v;
    switch ((String) type) {
      case "hello":
        v = hello(m, id, c);
        break;
      case "subscribe":
        {
          String topic = topic(m.get("topic"), c);
          Pos from = position(m.get("from"), false, c);
          v = new Verdict(Kind.SUBSCRIBE, id, topic, from, Map.of(), false, null);
          break;
        }
      case "unsubscribe":
        v = new Verdict(Kind.UNSUBSCRIBE, id, topic(m.get("topic"), c), null, Map.of(), false, null);
        break;
      case "ack":
        {
          String topic = topic(m.get("topic"), c);
          seq(m.get("seq"), true, c);
          v = new Verdict(Kind.ACK, id, topic, null, Map.of(), false, null);
          break;
        }
      case "ping":
        v = new Verdict(Kind.PING, id, null, null, Map.of(), false, null);
        break;
      case "pong":
        v = new Verdict(Kind.PONG, id, null, null, Map.of(), false, null);
        break;
      default:
        return Verdict.malformed(id, "unknown type");
    }
    if (c.malformed != null) {
      return Verdict.malformed(id, c.malformed);
    }
    if (c.open != null) {
      return Verdict.skip(c.open);
    }
    return v;
  }

  /** The first contract violation and the first open point found. */
  private static final class Check {
    String malformed;
    String open;

    void malformed(String why) {
      if (malformed == null) {
        malformed = why;
      }
    }

    void open(String why) {
      if (open == null) {
        open = why;
      }
    }
  }

  private static IdCheck id(Object id, Check c) {
    if (id == null) {
      return IdCheck.ABSENT;
    }
    if (id == StrictJson.NULL) {
      c.open("id is null");
      return IdCheck.ANY;
    }
    if (id instanceof String) {
      if (((String) id).length() > SAFE_ID) {
        c.open("id over " + SAFE_ID + " characters");
        return IdCheck.ANY;
      }
      return IdCheck.of(id);
    }
    if (id instanceof BigInteger) {
      if (((BigInteger) id).bitLength() >= 64) {
        c.open("id beyond 64 bits");
        return IdCheck.ANY;
      }
      return IdCheck.of(((BigInteger) id).longValueExact());
    }
    if (id instanceof BigDecimal) {
      c.open("id with a fraction or exponent");
      return IdCheck.ANY;
    }
    c.malformed("id is neither a string nor a number");
    return IdCheck.ANY;
  }

  private Verdict hello(Map<String, Object> m, IdCheck id, Check c) {
    for (String f : List.of("resume", "token", "clientId", "qos")) {
      Object v = m.get(f);
      if (v == StrictJson.NULL) {
        c.open(f + " is null");
      } else if (v != null && !(v instanceof String)) {
        c.malformed(f + " is not a string");
      } else if (v != null && ((String) v).length() > SAFE_STRING) {
        c.open(f + " over " + SAFE_STRING + " characters");
      }
    }
    Object batch = m.get("batch");
    if (batch == StrictJson.NULL) {
      c.open("batch is null");
    } else if (batch != null && !(batch instanceof Boolean)) {
      c.malformed("batch is not a boolean");
    }
    Object qos = m.get("qos");
    if (qos != null && !(qos instanceof String)) {
      c.open("qos is not a string");
    }
    Map<String, Pos> positions = Map.of();
    Object raw = m.get("positions");
    if (raw == StrictJson.NULL) {
      c.open("positions is null");
    } else if (raw != null && !(raw instanceof Map)) {
      c.malformed("positions is not an object");
    } else if (raw != null) {
      @SuppressWarnings("unchecked")
      Map<String, Object> p = (Map<String, Object>) raw;
      if (p.size() > 1024) {
        c.malformed("positions names more than 1,024 topics");
      }
      Map<String, Pos> out = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : p.entrySet()) {
        if (!TOPIC.matcher(e.getKey()).matches()) {
          c.malformed("positions names an invalid topic");
          continue;
        }
        Pos pos = position(e.getValue(), true, c);
        if (pos == null) {
          continue;
        }
        TopicFixture.Topic t = topics.get(e.getKey());
        if (t == null) {
          c.open("positions names a topic outside the fixture");
        } else if (!t.epoch().equals(pos.epoch()) || pos.seq() > t.seq()) {
          c.open("positions names a position that is not replayable");
        }
        out.put(e.getKey(), pos);
      }
      if (out.size() > maxSubscriptions) {
        c.open("positions names more topics than maxSubscriptions");
      }
      positions = Collections.unmodifiableMap(out);
    }
    return new Verdict(Kind.HELLO, id, null, null, positions, Boolean.TRUE.equals(batch), null);
  }

  private static String topic(Object topic, Check c) {
    if (!(topic instanceof String) || !TOPIC.matcher((String) topic).matches()) {
      c.malformed("topic is not a valid topic name");
      return null;
    }
    return (String) topic;
  }

  /**
   * Reads {@code {epoch: string, seq: integer >= 0}}; null when absent or not readable.
   *
   * @param required whether absence is malformed (a positions entry) or means "none" (from)
   */
  private static Pos position(Object raw, boolean required, Check c) {
    if (raw == null) {
      if (required) {
        c.malformed("position missing");
      }
      return null;
    }
    if (raw == StrictJson.NULL) {
      if (required) {
        c.malformed("position is null");
      } else {
        c.open("from is null");
      }
      return null;
    }
    if (!(raw instanceof Map)) {
      c.malformed("position is not an object");
      return null;
    }
    Map<?, ?> o = (Map<?, ?>) raw;
    Object epoch = o.get("epoch");
    if (!(epoch instanceof String)) {
      c.malformed("position epoch is not a string");
      return null;
    }
    if (((String) epoch).length() > SAFE_ID) {
      c.open("position epoch over " + SAFE_ID + " characters");
      return null;
    }
    Long seq = seq(o.get("seq"), true, c);
    return seq == null ? null : new Pos((String) epoch, seq);
  }

  private static Long seq(Object seq, boolean required, Check c) {
    if (seq == null && !required) {
      return null;
    }
    if (seq instanceof BigDecimal) {
      c.open("seq with a fraction or exponent");
      return null;
    }
    if (!(seq instanceof BigInteger) || ((BigInteger) seq).signum() < 0) {
      c.malformed("seq is not an integer >= 0");
      return null;
    }
    if (((BigInteger) seq).compareTo(LONG_MAX) > 0) {
      // An integer >= 0, but beyond any seq a server can count to.
      c.open("seq beyond 64 bits");
      return null;
    }
    return ((BigInteger) seq).longValueExact();
  }
}
