/**
 * The command line: option declarations with their defaults and help, parsing and validation (a bad
 * value stops the tool with exit code 2 and a sentence naming the option), and the {@code --help}
 * text.
 */
package io.slipstream.loadtest.cli;
