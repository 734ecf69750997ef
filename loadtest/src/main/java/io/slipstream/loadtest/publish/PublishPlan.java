package io.slipstream.loadtest.publish;

import java.util.Map;

/**
 * One publishing phase: where to post, how fast, for how long, and what.
 *
 * <p>Immutable (the {@link Bodies} it names is stateful and belongs to the publisher).
 *
 * @param url the absolute URL to {@code POST} to
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
    boolean stampDue) {}
