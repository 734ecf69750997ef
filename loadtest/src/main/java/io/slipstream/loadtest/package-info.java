/**
 * Slipstream's load generator and benchmark suite. It speaks only the wire protocol
 * (docs/protocol.md), over WebSocket or SockJS, and publishes through the HTTP API, so it measures
 * any Slipstream deployment from the outside, exactly as a client would see it.
 *
 * <p>{@link io.slipstream.loadtest.Main} parses the command line and runs one scenario; each
 * scenario in {@code scenario} names its topology and the question it answers.
 */
package io.slipstream.loadtest;
