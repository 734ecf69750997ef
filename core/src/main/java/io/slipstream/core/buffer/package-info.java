/**
 * Per-connection outbound buffers: bounded by events and bytes, with drop policies that account
 * for every dropped change in stream position, and the warn/disconnect thresholds.
 */
package io.slipstream.core.buffer;
