/**
 * Sessions in the cluster (docs/protocol.md §7, guarantee 5 "on any node"): the {@code
 * slipstream.sessions} IMap, one entry per session with one sync backup, changed only by entry
 * processors whose backup copies the primary's outcome; single-use tokens {@code
 * <sessionId>.<secret>} of which only a hash is stored; suspended sessions expiring by their
 * entry's TTL; the sessions of a departed member suspended by the oldest member; {@code
 * maxSessions} bounded per partition. {@link io.slipstream.cluster.session.SessionMap} configures
 * the map and builds the store.
 */
package io.slipstream.cluster.session;
