package io.slipstream.server.config;

/**
 * A setting that cannot be used: unknown, of the wrong type, out of range, or a configuration file
 * that cannot be read.
 *
 * <p>Immutable and thread-safe. The message is a sentence fit for an operator, naming the setting
 * and the value it was given; {@code Main} prints it and exits with code 2.
 */
public final class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String setting;

  /**
   * @param setting the key ({@code buffer.max}), or the flag ({@code --config}) at fault
   * @param message what is wrong, naming the setting and the bad value
   */
  public ConfigException(String setting, String message) {
    super(message);
    this.setting = setting;
  }

  /** Same, keeping the underlying cause (an I/O or JSON error). */
  public ConfigException(String setting, String message, Throwable cause) {
    super(message, cause);
    this.setting = setting;
  }

  /** The key, e.g. {@code buffer.max}, or the flag, e.g. {@code --config}, at fault. */
  public String setting() {
    return setting;
  }
}
