package io.slipstream.server.protocol;

/**
 * Writes the answer of {@code GET /api/topics/{topic}/rows} (docs/protocol.md §10, Topics) in
 * pieces, so that it can be streamed: {@code {"topic", "epoch", "seq", "rows": [{"key", "row"},
 * ...], "next"?}}.
 *
 * <p>Stateless and thread-safe. A row's JSON is stored serialized, so it is spliced in as it is,
 * never parsed and encoded again.
 */
public final class RowsJson {

  private RowsJson() {}

  /** Appends everything before the first row: {@code {"topic":..,"epoch":..,"seq":..,"rows":[}. */
  public static StringBuilder head(StringBuilder sb, String topic, String epoch, long seq) {
    sb.append("{\"topic\":");
    Json.quote(sb, topic).append(",\"epoch\":");
    Json.quote(sb, epoch).append(",\"seq\":").append(seq).append(",\"rows\":[");
    return sb;
  }

  /**
   * Appends one row, {@code {"key":..,"row":..}}, after a comma unless it is the first.
   *
   * @param rowJson the row as compact JSON object text
   */
  public static StringBuilder row(StringBuilder sb, boolean first, String key, String rowJson) {
    if (!first) {
      sb.append(',');
    }
    Json.quote(sb.append("{\"key\":"), key);
    return sb.append(",\"row\":").append(rowJson).append('}');
  }

  /**
   * Appends everything after the last row.
   *
   * @param next the page's last key when more rows follow it, else null (no {@code next} field)
   */
  public static StringBuilder tail(StringBuilder sb, String next) {
    sb.append(']');
    if (next != null) {
      Json.quote(sb.append(",\"next\":"), next);
    }
    return sb.append('}');
  }
}
