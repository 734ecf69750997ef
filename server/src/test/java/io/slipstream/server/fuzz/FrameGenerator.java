package io.slipstream.server.fuzz;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates client frames from one seeded {@link Random}: valid messages chosen for the
 * connection's state, valid messages with random edits, strict-JSON violations (docs/protocol.md:
 * comments, trailing commas, single quotes, {@code NaN}, unquoted names and their cousins),
 * random JSON and random text, and transport cases (binary, oversized, exactly at the limit,
 * deep nesting, fragmented).
 *
 * <p>What the server must answer is not decided here but by {@link ContractOracle}: a frame's
 * kind only says which rule made it.
 *
 * <p>Confined to one worker thread. Reproducible: the same seed and the same connection states
 * give the same frames.
 */
final class FrameGenerator {

  /** A literal written as is (e.g. {@code NaN}, {@code 01}): not a JSON value of ours. */
  private record Raw(String text) {}

  private static final String[] WHITESPACE = {" ", "\t", "\n", "\r", "  ", "\r\n"};
  private static final int[] ALPHABET =
      "{}[]:,\"0123456789-+.eEaflnrstux\\'/*# \t\n\u0001\u007féü€\u2028\u00a0"
          .codePoints()
          .toArray();
  private static final int[] SOUP_EXTRA = {0x1F600, 0x10FFFF, 0xFFFD, 0x0, 0x1B, 0x7FF, 0x800};
  private static final String[] TYPES = {"hello", "subscribe", "unsubscribe", "ack", "ping", "pong"};
  private static final String[] BAD_TOPICS = {
    "", "a b", "x".repeat(129), "тема", "a/b", "topic!", "\"", "fz.0\u0000"
  };

  private final Random r;
  private final TopicFixture topics;
  private final int maxFrameBytes;
  private long ids;
  /** 1 MiB+ frames still to make: each costs a megabyte to build, send and replay. */
  private int huge;

  /**
   * @param huge how many frames over 1 MiB (cut at the transport) this generator makes, at most
   */
  FrameGenerator(Random r, TopicFixture topics, int maxFrameBytes, int huge) {
    this.r = r;
    this.topics = topics;
    this.maxFrameBytes = maxFrameBytes;
    this.huge = huge;
  }

  /**
   * The next frame for a connection in state {@code m}.
   *
   * @param webSocket whether the connection is a plain WebSocket (binary and fragmented frames
   *     are only sent there; SockJS carries text messages only)
   */
  Frame next(ConnectionModel m, boolean webSocket) {
    if (!m.helloDone() && r.nextInt(100) < 85) {
      return Frame.text("valid/hello", write(hello()));
    }
    int roll = r.nextInt(100);
    if (roll < 42) {
      Map<String, Object> msg = valid(m);
      return Frame.text("valid/" + msg.get("type"), write(msg));
    }
    if (roll < 64) {
      return mutated(valid(m));
    }
    if (roll < 82) {
      return strict(valid(m));
    }
    if (roll < 94) {
      return random();
    }
    return special(m, webSocket);
  }

  // ------------------------------------------------------------------ valid messages

  private Map<String, Object> valid(ConnectionModel m) {
    int t = r.nextInt(100);
    Map<String, Object> msg;
    if (t < 8) {
      msg = hello();
    } else if (t < 33) {
      msg = message("subscribe");
      msg.put("topic", topic(m, false));
      from(msg, (String) msg.get("topic"));
    } else if (t < 48) {
      msg = message("unsubscribe");
      msg.put("topic", topic(m, true));
    } else if (t < 68) {
      msg = message("ack");
      String topic = topic(m, true);
      msg.put("topic", topic);
      TopicFixture.Topic ft = topics.get(topic);
      msg.put("seq", (long) r.nextInt((int) (ft == null ? 10 : ft.seq() + 4)));
    } else if (t < 90) {
      msg = message("ping");
    } else {
      msg = message("pong");
    }
    if (r.nextInt(5) == 0) {
      // Unknown fields are allowed (docs/protocol.md) and must change nothing.
      msg.put("x-" + word(), value(2));
    }
    return shuffled(msg);
  }

  private Map<String, Object> hello() {
    Map<String, Object> msg = message("hello");
    if (r.nextBoolean()) {
      msg.put("clientId", r.nextInt(20) == 0 ? "c".repeat(ContractOracle.SAFE_STRING) : text(12));
    }
    if (r.nextInt(5) == 0) {
      msg.put("batch", r.nextBoolean());
    }
    if (r.nextInt(7) == 0) {
      // A token no session has: a fresh session, not an error.
      msg.put("resume", "forged-" + word() + r.nextInt(1000));
    }
    if (r.nextInt(10) == 0) {
      msg.put("token", "not.a.jwt");
    }
    if (r.nextInt(10) == 0) {
      msg.put("qos", r.nextBoolean() ? "standard" : word());
    }
    if (r.nextInt(33) == 0) {
      Map<String, Object> positions = new LinkedHashMap<>();
      for (int i = 1 + r.nextInt(2); i > 0; i--) {
        TopicFixture.Topic t = fixtureTopic();
        positions.put(t.name(), position(t.epoch(), r.nextInt((int) t.seq() + 1)));
      }
      msg.put("positions", positions);
    }
    return shuffled(msg);
  }

  private Map<String, Object> message(String type) {
    Map<String, Object> msg = new LinkedHashMap<>();
    msg.put("type", type);
    int id = r.nextInt(4);
    if (id == 1) {
      msg.put("id", "f" + (++ids) + (r.nextInt(8) == 0 ? "-é😀\"" : ""));
    } else if (id == 2) {
      msg.put("id", r.nextBoolean() ? ++ids : -r.nextInt(1000) - 1L);
    }
    return msg;
  }

  private void from(Map<String, Object> msg, String topic) {
    TopicFixture.Topic t = topics.get(topic);
    int f = r.nextInt(10);
    if (t == null || f < 5) {
      return;
    }
    if (f < 8) {
      msg.put("from", position(t.epoch(), r.nextInt((int) t.seq() + 1)));
    } else if (f < 9) {
      msg.put("from", position("another-epoch", r.nextInt(5)));
    } else {
      msg.put("from", position(t.epoch(), t.seq() + 1 + r.nextInt(5)));
    }
  }

  private static Map<String, Object> position(String epoch, long seq) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("epoch", epoch);
    p.put("seq", seq);
    return p;
  }

  /** A topic name: often one subscribed to (when {@code preferSubscribed}), else the fixture's. */
  private String topic(ConnectionModel m, boolean preferSubscribed) {
    int t = r.nextInt(100);
    if (t < 8) {
      return "fz.unknown" + r.nextInt(50); // valid but beyond maxTopics
    }
    if (t < 12) {
      return BAD_TOPICS[r.nextInt(BAD_TOPICS.length)];
    }
    if (preferSubscribed && !m.subscribed().isEmpty() && t < 70) {
      List<String> subs = new ArrayList<>(m.subscribed());
      return subs.get(r.nextInt(subs.size()));
    }
    return fixtureTopic().name();
  }

  private TopicFixture.Topic fixtureTopic() {
    return topics.get(topics.names().get(r.nextInt(topics.size())));
  }

  private Map<String, Object> shuffled(Map<String, Object> msg) {
    List<String> keys = new ArrayList<>(msg.keySet());
    java.util.Collections.shuffle(keys, r);
    Map<String, Object> out = new LinkedHashMap<>();
    for (String k : keys) {
      out.put(k, msg.get(k));
    }
    return out;
  }

  // ------------------------------------------------------------------ strict-JSON violations

  private Frame strict(Map<String, Object> msg) {
    List<String> tokens = tokens(msg);
    int rule = r.nextInt(16);
    String kind;
    switch (rule) {
      case 0:
      case 1:
        kind = "strict/comment";
        tokens.add(boundary(tokens), r.nextBoolean() ? "/* c */" : "/**/");
        break;
      case 2:
        kind = "strict/line-comment";
        tokens.add(boundary(tokens), r.nextBoolean() ? "// c\n" : "# c\n");
        break;
      case 3:
        kind = "strict/trailing-comma";
        tokens.add(tokens.size() - 1, ",");
        break;
      case 4:
        kind = "strict/trailing-comma-array";
        msg.put("x", List.of(1L, 2L));
        tokens = tokens(msg);
        tokens.add(tokens.lastIndexOf("]"), ",");
        break;
      case 5:
        {
          kind = "strict/single-quotes";
          int i = stringToken(tokens);
          String s = tokens.get(i);
          tokens.set(i, "'" + s.substring(1, s.length() - 1) + "'");
          break;
        }
      case 6:
        {
          kind = "strict/unquoted-name";
          int i = nameToken(tokens);
          String s = tokens.get(i);
          tokens.set(i, s.substring(1, s.length() - 1).replaceAll("[^A-Za-z0-9_$]", "_"));
          if (tokens.get(i).isEmpty()) {
            tokens.set(i, "n");
          }
          break;
        }
      case 7:
        kind = "strict/nan";
        msg.put("x", new Raw(pick("NaN", "Infinity", "-Infinity", "+Infinity")));
        tokens = tokens(msg);
        break;
      case 8:
        kind = "strict/number-form";
        msg.put(msg.containsKey("seq") ? "seq" : "x", new Raw(pick("01", "+1", ".5", "1.", "0x1F", "1e", "-", "--1", "1_000")));
        tokens = tokens(msg);
        break;
      case 9:
        {
          kind = "strict/control-char";
          int i = stringToken(tokens);
          String s = tokens.get(i);
          int at = 1 + r.nextInt(s.length() - 1);
          tokens.set(i, s.substring(0, at) + pick("\u0001", "\t", "\n", "\u001f", "\u0000") + s.substring(at));
          break;
        }
      case 10:
        {
          kind = "strict/bad-escape";
          int i = stringToken(tokens);
          String s = tokens.get(i);
          int at = 1 + r.nextInt(s.length() - 1);
          tokens.set(i, s.substring(0, at) + pick("\\x41", "\\'", "\\a", "\\u12", "\\u00G0", "\\U0041", "\\") + s.substring(at));
          break;
        }
      case 11:
        {
          kind = "strict/missing-separator";
          List<Integer> at = new ArrayList<>();
          for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i).equals(",") || tokens.get(i).equals(":")) {
              at.add(i);
            }
          }
          tokens.remove((int) at.get(r.nextInt(at.size())));
          break;
        }
      case 12:
        kind = "strict/unterminated";
        tokens = new ArrayList<>(tokens.subList(0, 1 + r.nextInt(tokens.size() - 1)));
        break;
      case 13:
        kind = "strict/trailing-content";
        tokens.add(pick("x", "}", "{}", "[]", "0", "\"s\"", "null", ",", "{\"type\":\"ping\"}"));
        break;
      case 14:
        kind = "strict/bad-literal";
        msg.put("x", new Raw(pick("True", "FALSE", "Null", "undefined", "nil", "tru", "nul")));
        tokens = tokens(msg);
        break;
      default:
        {
          kind = "strict/missing-value";
          int i = nameToken(tokens);
          // name, ":", value...: drop the value's first token (the whole value when scalar).
          tokens.remove(i + 2);
          break;
        }
    }
    return Frame.text(kind, join(tokens));
  }

  /** A position between two tokens (or before the first, after the last). */
  private int boundary(List<String> tokens) {
    return r.nextInt(tokens.size() + 1);
  }

  private int stringToken(List<String> tokens) {
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < tokens.size(); i++) {
      if (tokens.get(i).startsWith("\"")) {
        at.add(i);
      }
    }
    return at.get(r.nextInt(at.size()));
  }

  /** The index of a token that is an object member's name. */
  private int nameToken(List<String> tokens) {
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i + 1 < tokens.size(); i++) {
      if (tokens.get(i).startsWith("\"") && tokens.get(i + 1).equals(":")) {
        at.add(i);
      }
    }
    return at.get(r.nextInt(at.size()));
  }

  // ------------------------------------------------------------------ mutations

  private Frame mutated(Map<String, Object> msg) {
    int[] cps = write(msg).codePoints().toArray();
    List<Integer> cp = new ArrayList<>(cps.length + 8);
    for (int c : cps) {
      cp.add(c);
    }
    int edits = 1 + r.nextInt(3);
    StringBuilder kind = new StringBuilder("mutated/");
    for (int e = 0; e < edits && !cp.isEmpty(); e++) {
      int at = r.nextInt(cp.size());
      int op = r.nextInt(7);
      switch (op) {
        case 0:
          cp.set(at, ALPHABET[r.nextInt(ALPHABET.length)]);
          kind.append("replace,");
          break;
        case 1:
          cp.remove(at);
          kind.append("delete,");
          break;
        case 2:
          cp.add(at, ALPHABET[r.nextInt(ALPHABET.length)]);
          kind.append("insert,");
          break;
        case 3:
          {
            int to = Math.min(cp.size(), at + 1 + r.nextInt(8));
            cp.subList(at, to).clear();
            kind.append("cut,");
            break;
          }
        case 4:
          {
            int to = Math.min(cp.size(), at + 1 + r.nextInt(10));
            cp.addAll(to, new ArrayList<>(cp.subList(at, to)));
            kind.append("repeat,");
            break;
          }
        case 5:
          if (at + 1 < cp.size()) {
            int a = cp.get(at);
            cp.set(at, cp.get(at + 1));
            cp.set(at + 1, a);
          }
          kind.append("swap,");
          break;
        default:
          cp.subList(at, cp.size()).clear();
          kind.append("truncate,");
          break;
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int c : cp) {
      sb.appendCodePoint(c);
    }
    kind.setLength(kind.length() - 1);
    return Frame.text(kind.toString(), sb.toString());
  }

  // ------------------------------------------------------------------ random

  private Frame random() {
    int t = r.nextInt(10);
    if (t < 4) {
      return Frame.text("random/json", write(value(4)));
    }
    if (t < 8) {
      // A known type with known field names holding values of any type.
      Map<String, Object> msg = new LinkedHashMap<>();
      msg.put("type", r.nextInt(8) == 0 ? value(1) : TYPES[r.nextInt(TYPES.length)]);
      for (String f : List.of("id", "topic", "seq", "from", "positions", "batch", "clientId", "resume")) {
        if (r.nextInt(3) == 0) {
          msg.put(f, value(2));
        }
      }
      return Frame.text("random/typed", write(shuffled(msg)));
    }
    StringBuilder sb = new StringBuilder();
    for (int i = r.nextInt(60); i > 0; i--) {
      sb.appendCodePoint(
          r.nextInt(10) == 0 ? SOUP_EXTRA[r.nextInt(SOUP_EXTRA.length)] : ALPHABET[r.nextInt(ALPHABET.length)]);
    }
    return Frame.text("random/text", sb.toString());
  }

  /** A random JSON value (objects and arrays up to {@code depth} deep). */
  private Object value(int depth) {
    int t = r.nextInt(depth > 0 ? 10 : 7);
    switch (t) {
      case 0:
        return text(8);
      case 1:
        return (long) r.nextInt(2000) - 1000;
      case 2:
        return new Raw(pick("1.5", "-0", "0.0", "1e3", "1E-2", "-1.25e+2", "12345678901234567890", "1e400"));
      case 3:
        return r.nextBoolean();
      case 4:
        return new Raw("null");
      case 5:
        return "fz." + r.nextInt(12);
      case 6:
        return r.nextBoolean() ? "hello" : "";
      case 7:
      case 8:
        {
          Map<String, Object> o = new LinkedHashMap<>();
          for (int i = r.nextInt(4); i > 0; i--) {
            o.put(r.nextInt(3) == 0 ? pick("epoch", "seq", "type", "topic") : word(), value(depth - 1));
          }
          return o;
        }
      default:
        {
          List<Object> l = new ArrayList<>();
          for (int i = r.nextInt(4); i > 0; i--) {
            l.add(value(depth - 1));
          }
          return l;
        }
    }
  }

  // ------------------------------------------------------------------ transport cases

  private Frame special(ConnectionModel m, boolean webSocket) {
    int t = r.nextInt(webSocket ? 12 : 8);
    switch (t) {
      case 0:
        return Frame.text("special/empty", r.nextBoolean() ? "" : pick(" ", "\n", "\t \r\n"));
      case 1:
        return padded("special/exact-limit", maxFrameBytes);
      case 2:
        return padded("special/over-limit", maxFrameBytes + 1 + r.nextInt(maxFrameBytes / 2));
      case 3:
        return padded("special/over-4x-limit", 4 * maxFrameBytes + 1 + r.nextInt(maxFrameBytes));
      case 4:
        {
          // More characters than bytes would be fine, but the bytes are over the limit.
          int euros = maxFrameBytes / 3 + 1 + r.nextInt(50);
          return Frame.text("special/multibyte-over-limit", "{\"type\":\"ping\",\"p\":\"" + "€".repeat(euros) + "\"}");
        }
      case 5:
        {
          int depth = 600 + r.nextInt(1400);
          return Frame.text("special/deep-array", "[".repeat(depth) + "]".repeat(depth));
        }
      case 6:
        {
          // Valid JSON nested below common parser limits (1,000): a pong must come back.
          int depth = 50 + r.nextInt(800);
          return Frame.text("special/deep-value", "{\"type\":\"ping\",\"x\":" + "[".repeat(depth) + "]".repeat(depth) + "}");
        }
      case 7:
        return Frame.text("special/escapes", write(escapedPing()));
      case 8:
        {
          byte[] b = new byte[r.nextInt(r.nextBoolean() ? 300 : maxFrameBytes + maxFrameBytes / 2)];
          r.nextBytes(b);
          return Frame.binary("special/binary", b);
        }
      case 9:
      case 10:
        {
          Frame inner = r.nextBoolean() ? Frame.text("valid", write(valid(m))) : strict(valid(m));
          return inner.fragmented(2 + r.nextInt(6));
        }
      default:
        if (huge > 0) {
          huge--;
          return padded("special/over-1MiB", (1 << 20) + 1 + r.nextInt(1000));
        }
        return padded("special/over-limit", maxFrameBytes + 1);
    }
  }

  /**
   * A ping of exactly {@code bytes} UTF-8 bytes, padded with ASCII and, one time in two, some
   * three-byte characters (the limit counts bytes, not characters).
   */
  private Frame padded(String kind, int bytes) {
    String head = "{\"type\":\"ping\",\"pad\":\"";
    String tail = "\"}";
    int room = bytes - head.length() - tail.length();
    int euros = r.nextBoolean() ? 0 : r.nextInt(Math.max(1, room / 12));
    return Frame.text(kind, head + "€".repeat(euros) + "x".repeat(room - 3 * euros) + tail);
  }

  /** A ping whose names and values are spelled with escapes: still valid JSON. */
  private Map<String, Object> escapedPing() {
    Map<String, Object> msg = message("ping");
    msg.put("s", "\\ \" / \b \f \n \r \t \u0000 \u001f é € 😀 \u2028");
    return msg;
  }

  // ------------------------------------------------------------------ writing

  /** Writes {@code v} as JSON, with random whitespace and random (valid) escapes. */
  private String write(Object v) {
    return join(tokens(v));
  }

  private String join(List<String> tokens) {
    StringBuilder sb = new StringBuilder();
    for (String t : tokens) {
      if (r.nextInt(10) == 0) {
        sb.append(WHITESPACE[r.nextInt(WHITESPACE.length)]);
      }
      sb.append(t);
    }
    if (r.nextInt(20) == 0) {
      sb.append(WHITESPACE[r.nextInt(WHITESPACE.length)]);
    }
    return sb.toString();
  }

  private List<String> tokens(Object v) {
    List<String> out = new ArrayList<>();
    tokens(v, out);
    return out;
  }

  private void tokens(Object v, List<String> out) {
    if (v instanceof Map) {
      out.add("{");
      boolean first = true;
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        if (!first) {
          out.add(",");
        }
        first = false;
        out.add(quote((String) e.getKey()));
        out.add(":");
        tokens(e.getValue(), out);
      }
      out.add("}");
    } else if (v instanceof List) {
      out.add("[");
      boolean first = true;
      for (Object e : (List<?>) v) {
        if (!first) {
          out.add(",");
        }
        first = false;
        tokens(e, out);
      }
      out.add("]");
    } else if (v instanceof String) {
      out.add(quote((String) v));
    } else if (v instanceof Raw) {
      out.add(((Raw) v).text());
    } else {
      out.add(String.valueOf(v)); // Long, Boolean
    }
  }

  /** A JSON string literal, escaping what must be escaped and, at random, what may be. */
  private String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    s.codePoints()
        .forEach(
            c -> {
              if (c == '"' || c == '\\') {
                sb.append('\\').appendCodePoint(c);
              } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", c));
              } else if (c == '/' && r.nextInt(4) == 0) {
                sb.append("\\/");
              } else if (r.nextInt(25) == 0) {
                for (char ch : Character.toChars(c)) {
                  sb.append(String.format(r.nextBoolean() ? "\\u%04x" : "\\u%04X", (int) ch));
                }
              } else {
                sb.appendCodePoint(c);
              }
            });
    return sb.append('"').toString();
  }

  private String text(int max) {
    StringBuilder sb = new StringBuilder();
    for (int i = r.nextInt(max + 1); i > 0; i--) {
      int c = r.nextInt(12);
      sb.appendCodePoint(c == 0 ? 0x1F600 : c == 1 ? 'é' : c == 2 ? '"' : c == 3 ? '\\' : c == 4 ? '\n' : 'a' + r.nextInt(26));
    }
    return sb.toString();
  }

  private String word() {
    return pick("a", "b", "foo", "type", "topic", "seq", "x", "epoch", "from", "id", "données");
  }

  private String pick(String... options) {
    return options[r.nextInt(options.length)];
  }
}
