/**
 * The wire format: the only package that knows JSON field names. Parses client messages,
 * serializes control messages, and serializes each change once for every connection to share.
 */
package io.slipstream.server.protocol;
