/**
 * The protocol's vocabulary that is independent of JSON: error codes, close codes, drop reasons
 * and validation outcomes. The server's {@code protocol} package maps them to and from the wire.
 */
package io.slipstream.core.message;
