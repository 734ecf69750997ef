/**
 * The per-topic replay log: a fixed ring of the newest changes, read lock-free by subscribers
 * that catch up from a position instead of taking a snapshot.
 */
package io.slipstream.core.replay;
