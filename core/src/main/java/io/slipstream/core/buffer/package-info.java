/**
 * Per-connection outbound buffers ({@link io.slipstream.core.buffer.ClientBuffer}): bounded by
 * entries and bytes, where the {@code dropped} markers count as well as the live events; drop
 * policies (one {@code *Queue} each) that account for every dropped change in stream position,
 * merging the adjacent ranges of a topic and refusing what they could not name within the bounds;
 * and the warn (with its re-arm period) and disconnect thresholds.
 */
package io.slipstream.core.buffer;
