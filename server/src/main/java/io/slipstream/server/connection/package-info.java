/**
 * One client connection: the protocol state machine, subscriptions that catch up then go live,
 * the bounded buffer, the write pump, heartbeats, sustain timers and limits.
 */
package io.slipstream.server.connection;
