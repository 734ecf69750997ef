/**
 * Topic to subscribers on one event loop: the hop from a sequencer's published batch to every
 * interested connection, with one event-bus consumer per topic and loop.
 */
package io.slipstream.server.hub;
