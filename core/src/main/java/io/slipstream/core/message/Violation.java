package io.slipstream.core.message;

/**
 * One reason a client's input was refused: an error code and a sentence naming the field.
 *
 * <p>Immutable.
 *
 * @param code the protocol error code
 * @param message a human-readable sentence that names the offending field
 */
public record Violation(ErrorCode code, String message) {

  public Violation {
    if (code == null || message == null) {
      throw new IllegalArgumentException("code and message are required");
    }
  }
}
