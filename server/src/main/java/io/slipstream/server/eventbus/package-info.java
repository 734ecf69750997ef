/** The event-bus contract towards embedding applications: lifecycle events (PROTOCOL.md §8). */
package io.slipstream.server.eventbus;
