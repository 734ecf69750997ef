package io.slipstream.server.fuzz;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fuzz oracle's reading of RFC 8259 (docs/protocol.md: messages are strict JSON): Jackson's
 * parser with every leniency off, which is its default (no comments, trailing commas, single
 * quotes, {@code NaN}/{@code Infinity}, unquoted names, leading zeros or raw control characters),
 * plus the two checks Jackson leaves to its callers: nothing may follow the value, and (the fuzz
 * being strict about what it can predict) duplicate names and strings with an unpaired surrogate
 * (RFC 8259 §8.2: "the behavior ... is unpredictable") are reported as {@link Ambiguous}.
 *
 * <p>Values: {@link Map} (insertion-ordered), {@link List}, {@link String}, {@link BigInteger}
 * (integer tokens), {@link BigDecimal} (numbers with a fraction or exponent), {@link Boolean},
 * and {@link #NULL}.
 *
 * <p>Stateless and thread-safe.
 */
final class StrictJson {

  /** JSON {@code null}, so that an absent name and a null value stay apart. */
  static final Object NULL =
      new Object() {
        @Override
        public String toString() {
          return "null";
        }
      };

  /** Not JSON. */
  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * JSON whose meaning RFC 8259 leaves to the implementation (duplicate names, nesting or number
   * lengths beyond a parser's limits): the fuzz does not send it, since no answer is wrong.
   */
  static final class Ambiguous extends Exception {
    Ambiguous(String message) {
      super(message, null, false, false);
    }
  }

  private static final JsonFactory STRICT = new JsonFactory();

  private StrictJson() {}

  /** Parses one complete JSON text. */
  static Object parse(String text) throws Malformed, Ambiguous {
    try (JsonParser p = STRICT.createParser(text)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new Malformed("empty");
      }
      Object v = value(p, t);
      if (p.nextToken() != null) {
        throw new Malformed("content after the value");
      }
      return v;
    } catch (StreamConstraintsException e) {
      throw new Ambiguous("beyond the parser's limits: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new Malformed(e.getMessage());
    }
  }

  /** {@code s}, unless it holds an unpaired surrogate (which only an escape can put there). */
  private static String wellFormed(String s) throws Ambiguous {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new Ambiguous("a string with an unpaired surrogate");
      }
    }
    return s;
  }

  private static Object value(JsonParser p, JsonToken t) throws IOException, Ambiguous {
    if (t == null) {
      throw new IOException("unexpected end of input");
    }
    switch (t) {
      case START_OBJECT:
        {
          Map<String, Object> m = new LinkedHashMap<>();
          for (JsonToken n = p.nextToken(); n != JsonToken.END_OBJECT; n = p.nextToken()) {
            String name = wellFormed(p.currentName());
            Object v = value(p, p.nextToken());
            if (m.put(name, v) != null) {
              throw new Ambiguous("duplicate name " + name);
            }
          }
          return m;
        }
      case START_ARRAY:
        {
          List<Object> l = new ArrayList<>();
          for (JsonToken n = p.nextToken(); n != JsonToken.END_ARRAY; n = p.nextToken()) {
            l.add(value(p, n));
          }
          return l;
        }
      case VALUE_STRING:
        return wellFormed(p.getText());
      case VALUE_NUMBER_INT:
        return p.getBigIntegerValue();
      case VALUE_NUMBER_FLOAT:
        try {
          return p.getDecimalValue();
        } catch (NumberFormatException e) {
          // An exponent beyond BigDecimal (1E901234567890): what the server makes of it, a
          // double's infinity or zero, is Jackson's business, not the contract's.
          throw new Ambiguous("a number beyond BigDecimal: " + p.getText());
        }
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return NULL;
      default:
        throw new IOException("unexpected token " + t);
    }
  }
}
