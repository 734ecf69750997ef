/**
 * The authoritative topic log of a cluster: one {@code slipstream.topics} IMap entry per topic
 * ({@code TopicLog}: epoch, last seq, rows, replay ring, dedupe window), changed only by entry
 * processors that are pure functions of (state, input). {@code Append} sequences on the primary;
 * its backup processor {@code ApplyAt} applies at exactly the same position or refuses, so the two
 * copies never diverge silently; reads that expose data are confirmed on the backup ({@code
 * ValidatedRead} with {@code VerifyAt}); {@code ReadTip} is the cheap unconfirmed hint. {@link
 * io.slipstream.cluster.log.TopicAuthority} is the seam the clustered sequencer and feed use.
 */
package io.slipstream.cluster.log;
