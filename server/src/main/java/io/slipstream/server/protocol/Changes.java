package io.slipstream.server.protocol;

import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.message.Violation;
import io.slipstream.core.topic.ChangeOp;
import io.slipstream.core.topic.ChangeRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses what producers publish, {@code {op, key, row?}} or an array of them, into validated
 * {@link ChangeRequest}s: all of them or none (docs/protocol.md §10, Publish).
 *
 * <p>Stateless and thread-safe.
 */
public final class Changes {

  /** The most changes one publish may carry. */
  public static final int MAX_BATCH = 10_000;

  private Changes() {}

  /**
   * The outcome: {@code changes} when every change is valid, else the first {@code violation}
   * and the {@code index} of the offending change in the array (-1 for a single change or for
   * the body as a whole).
   */
  public record Parsed(List<ChangeRequest> changes, Violation violation, int index) {}

  /**
   * Parses the body of {@code POST /api/topics/{topic}/changes} (docs/protocol.md §10): strict
   * JSON as UTF-8. A missing, empty or malformed body is {@code bad-json}.
   */
  public static Parsed parseBody(Buffer utf8) {
    Object json;
    try {
      json = utf8 == null || utf8.length() == 0 ? null : StrictJson.decode(utf8);
    } catch (DecodeException e) {
      json = null;
    }
    return parse(json);
  }

  /** Parses a decoded JSON value: an object (one change) or an array of objects. */
  public static Parsed parse(Object body) {
    if (body instanceof JsonObject) {
      return parseAll(List.of(body), -1);
    }
    if (body instanceof JsonArray) {
      JsonArray array = (JsonArray) body;
      if (array.isEmpty()) {
        return error(ErrorCode.BAD_MESSAGE, "the array of changes is empty", -1);
      }
      if (array.size() > MAX_BATCH) {
        return error(ErrorCode.TOO_LARGE, "at most " + MAX_BATCH + " changes per publish", -1);
      }
      return parseAll(array.getList(), 0);
    }
    return error(ErrorCode.BAD_JSON, "the body must be a change object or an array of them", -1);
  }

  private static Parsed parseAll(List<?> items, int firstIndex) {
    List<ChangeRequest> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      int index = firstIndex < 0 ? -1 : i;
      Object item = items.get(i);
      JsonObject c;
      if (item instanceof JsonObject) {
        c = (JsonObject) item;
      } else if (item instanceof java.util.Map) {
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> map = (java.util.Map<String, Object>) item;
        c = new JsonObject(map);
      } else {
        return error(ErrorCode.BAD_MESSAGE, "each change must be a JSON object", index);
      }
      Object op = c.getValue("op");
      Object key = c.getValue("key");
      Object row = c.getValue("row");
      if (row instanceof java.util.Map) {
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> map = (java.util.Map<String, Object>) row;
        row = new JsonObject(map);
      }
      Optional<Violation> v =
          ChangeRequest.check(
              op instanceof String ? (String) op : null,
              key instanceof String ? (String) key : null,
              row != null,
              row instanceof JsonObject);
      if (v.isPresent()) {
        return new Parsed(null, v.get(), index);
      }
      ChangeOp parsedOp = ChangeOp.fromWire((String) op).orElseThrow();
      String rowText = row == null ? null : ((JsonObject) row).encode();
      out.add(new ChangeRequest(parsedOp, (String) key, rowText));
    }
    return new Parsed(out, null, -1);
  }

  private static Parsed error(ErrorCode code, String message, int index) {
    return new Parsed(null, new Violation(code, message), index);
  }
}
