package io.slipstream.loadtest.publish;

import java.util.List;
import java.util.Map;

/**
 * One publishing phase: where to post, how fast, for how long, and what.
 *
 * <p>Immutable (the {@link Bodies} it names is stateful and belongs to the publisher).
 *
 * @param url the absolute URL to {@code POST} to (the first of {@code urls})
 * @param headers extra request headers, e.g. {@code Authorization}
 * @param rate changes per second
 * @param durationMs how long to publish; changes not sent by then are not sent
 * @param maxChanges stop after this many changes even if time remains
 * @param maxInflight requests in flight at once; 1 keeps the server's order equal to the tool's
 * @param bodies what to send
 * @param slipstream whether responses carry {@code {epoch, firstSeq, lastSeq}}
 * @param stampDue whether each change carries the time it was due by the rate's schedule (so a
 *     publish path that falls behind shows as latency: no coordinated omission) rather than the
 *     time its request was built
 * @param urls where to post, the same topic on several nodes: publishes go round-robin, skipping
 *     for a while a node that did not answer, and a retry goes to the next node
 * @param attempts how often one publish is sent at most; above 1 every publish carries its own
 *     {@code Idempotency-Key} and is sent again, same key, same body, after a 503 or an I/O error
 *     or timeout (docs/protocol.md §7), until it is answered otherwise
 * @param requestTimeoutMs how long one request may go without a byte of answer
 */
public record PublishPlan(
    String url,
    Map<String, String> headers,
    double rate,
    long durationMs,
    long maxChanges,
    int maxInflight,
    Bodies bodies,
    boolean slipstream,
    boolean stampDue,
    List<String> urls,
    int attempts,
    long requestTimeoutMs) {

  /** The timeout of a request when the plan gives none: 30 s. */
  public static final long DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

  /** Validates the URLs and the attempts. */
  public PublishPlan {
    urls = List.copyOf(urls);
    if (urls.isEmpty() || !urls.get(0).equals(url)) {
      throw new IllegalArgumentException("urls must start with url " + url + ", were " + urls);
    }
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, was " + attempts);
    }
  }

  /** A plan posting to {@code url} only, each publish sent once. */
  public PublishPlan(
      String url,
      Map<String, String> headers,
      double rate,
      long durationMs,
      long maxChanges,
      int maxInflight,
      Bodies bodies,
      boolean slipstream,
      boolean stampDue) {
    this(
        url,
        headers,
        rate,
        durationMs,
        maxChanges,
        maxInflight,
        bodies,
        slipstream,
        stampDue,
        List.of(url),
        1,
        DEFAULT_REQUEST_TIMEOUT_MS);
  }

  /**
   * This plan posting round-robin to {@code urls}, each publish sent up to {@code attempts} times
   * with its {@code Idempotency-Key}, each request timing out after {@code requestTimeoutMs}.
   */
  public PublishPlan onNodes(List<String> urls, int attempts, long requestTimeoutMs) {
    return new PublishPlan(
        urls.get(0),
        headers,
        rate,
        durationMs,
        maxChanges,
        maxInflight,
        bodies,
        slipstream,
        stampDue,
        urls,
        attempts,
        requestTimeoutMs);
  }
}
