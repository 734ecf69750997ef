package io.slipstream.core.replay;

/**
 * A bare sequenced item with a size, for tests of the byte bound.
 *
 * <p>Immutable.
 */
record Sized(long seq, long size) implements Sequenced {}
