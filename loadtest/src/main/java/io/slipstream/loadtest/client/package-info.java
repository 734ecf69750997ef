/**
 * The simulated clients. A {@link io.slipstream.loadtest.client.ClientVerticle} runs many clients
 * on one event loop with one WebSocket client held in a field; several are deployed to spread the
 * sockets over event loops. A {@link io.slipstream.loadtest.client.Subscriber} is one logical
 * Slipstream client that survives reconnects and accounts for every seq, and drops its
 * connections as a {@link io.slipstream.loadtest.client.Churn} says (clean close, TCP reset, or a
 * socket given up while still open); a {@link
 * io.slipstream.loadtest.client.RawClient} is a client of any plain WebSocket server.
 */
package io.slipstream.loadtest.client;
