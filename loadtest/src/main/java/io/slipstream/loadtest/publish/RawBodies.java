package io.slipstream.loadtest.publish;

/**
 * Bodies for the {@code raw} scenario: one JSON message per request, {@code
 * {"t":<micros>,"n":<counter>,"p":"xx…"}} of {@code size} bytes, where {@code n} counts from 0 so
 * that every client can tell exactly which messages it missed.
 *
 * <p>Confined to the publisher's event loop.
 */
public final class RawBodies implements Bodies {

  private final int size;
  private final String padding;
  private long n;

  /** Messages of {@code size} bytes. */
  public RawBodies(int size) {
    this.size = size;
    this.padding = "x".repeat(Math.max(0, size));
  }

  @Override
  public String next(int count, long firstMicros, double stepMicros) {
    long nowMicros = firstMicros;
    StringBuilder sb = new StringBuilder(size + 32);
    int start = sb.length();
    sb.append("{\"t\":").append(nowMicros).append(",\"n\":").append(n++).append(",\"p\":\"");
    int used = sb.length() - start + 2;
    sb.append(padding, 0, Math.min(padding.length(), Math.max(0, size - used))).append("\"}");
    return sb.toString();
  }

  @Override
  public int maxPerBody() {
    return 1;
  }
}
