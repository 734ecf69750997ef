package io.slipstream.loadtest.cli;

/** A bad command line; the message names the option and what was wrong. Exit code 2. */
public final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A usage error described by {@code message}. */
  public UsageException(String message) {
    super(message);
  }
}
