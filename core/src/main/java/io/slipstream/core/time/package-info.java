/**
 * Time as an injected dependency: every timeout in Slipstream (sustain, heartbeat, session TTL)
 * reads a {@link io.slipstream.core.time.Clock} so that tests control it.
 */
package io.slipstream.core.time;
