/**
 * The event-bus contract towards embedding applications: lifecycle events (docs/protocol.md §11).
 */
package io.slipstream.server.eventbus;
