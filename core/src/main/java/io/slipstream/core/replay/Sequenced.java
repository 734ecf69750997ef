package io.slipstream.core.replay;

/**
 * Anything with a seq, which is all the replay log needs to know of what it keeps.
 *
 * <p>Implementations are immutable.
 */
public interface Sequenced {

  /** The seq: 1 for the first change of an epoch, then +1 for each. */
  long seq();
}
