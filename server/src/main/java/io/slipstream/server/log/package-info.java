/**
 * The node's log output: one JSON object per line when the output is not a terminal (or when asked
 * for), plain lines otherwise, and a level per logger (package) set at start. Everything logs
 * through {@code java.util.logging} (Vert.x, Netty and Hazelcast included), so one handler here
 * formats it all; a structured record carries its fields as a {@link LogFields} parameter.
 */
package io.slipstream.server.log;
