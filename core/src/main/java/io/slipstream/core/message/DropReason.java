package io.slipstream.core.message;

/**
 * Why a {@code dropped} message names missing events (its {@code reason} field, docs/protocol.md
 * §4).
 *
 * <p>Immutable. Markers of different reasons never merge, so a client always learns why each seq is
 * missing.
 */
public enum DropReason {
  /**
   * The connection's buffer was full and its drop policy discarded the events ({@code drop-oldest},
   * {@code drop-newest}, and the drop-oldest fallback of {@code conflate} and {@code by-age}).
   */
  BUFFER_FULL("buffer"),
  /** Under {@code by-age}: the events waited longer than {@code buffer.maxAgeMs}, at any fill. */
  AGE("age"),
  /** Under {@code priority}: the buffer was full, and these were the lowest priority's oldest. */
  PRIORITY("priority"),
  /**
   * Under {@code sample}: the buffer was full, and the fullest topic was thinned to every second
   * event.
   */
  SAMPLED("sampled"),
  /**
   * The node's buffers together exceeded {@code buffer.budgetBytes} (contract §5), and this
   * connection, among those furthest behind, shed its oldest events ({@code ClientBuffer.shed}),
   * under any policy.
   */
  BUDGET("budget");

  private final String wireName;

  DropReason(String wireName) {
    this.wireName = wireName;
  }

  /** The value of the {@code reason} field. */
  public String wireName() {
    return wireName;
  }
}
