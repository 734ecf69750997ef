package io.slipstream.cluster.log;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test hook that makes this member's {@link ApplyAt} backups refuse, to exercise the refusal
 * path on a healthy cluster. Registered under {@link #USER_CONTEXT_KEY} in a member's {@code
 * Config.getUserContext()}; production members never register one.
 *
 * <p>Thread-safe.
 */
public final class BackupFaults {

  /** The user-context key {@code ApplyAt} looks this hook up by. */
  public static final String USER_CONTEXT_KEY = "slipstream.backupFaults";

  private final AtomicInteger refusals = new AtomicInteger();

  /** Makes the next {@code n} backups applied on this member refuse. */
  public void refuseNextApplies(int n) {
    refusals.addAndGet(n);
  }

  /** Cancels the refusals still to come. */
  public void clear() {
    refusals.set(0);
  }

  /** Refusals still to come. */
  public int pending() {
    return refusals.get();
  }

  /** Whether this backup should refuse; counts the refusal down. */
  boolean takeRefusal() {
    return refusals.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
  }
}
