/**
 * Per-connection outbound buffers ({@link io.slipstream.core.buffer.ClientBuffer}): bounded by
 * entries and bytes, where the {@code dropped} and {@code conflated} markers count as well as the
 * live events; drop policies (one {@code *Queue} each: drop-oldest and disconnect on one structure,
 * drop-newest on its own, and conflate, by-age, priority and sample on {@code ChainQueue}, a linked
 * stream with per-topic chains) that account for every dropped or conflated change in stream
 * position, with its reason, merging the touching ranges of a topic and reason and refusing what
 * they could not name within the bounds; budget shedding of the oldest events under every policy;
 * topic priorities; and the warn (with its re-arm period) and disconnect thresholds.
 */
package io.slipstream.core.buffer;
