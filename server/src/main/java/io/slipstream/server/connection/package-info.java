/**
 * One client connection, split by concept: {@code Connection} dispatches what the client sends and
 * wires the rest; {@code Subscription} catches a topic up, then goes live; {@code WritePump} moves
 * frames to the socket only while it has room; {@code Outbox} batches and flushes them; {@code
 * SlowConsumerWatch} turns the buffer's fill into {@code warning}, dropping and 4001; {@code
 * SessionBinding} ties the connection to its session (hello, JWT, resume, what the session
 * records); {@code Liveness} keeps the hello and heartbeat timers; {@code ErrorBudget} and {@code
 * RateLimiter} bound what a client may send. Everything but the registry is confined to the
 * connection's event loop.
 */
package io.slipstream.server.connection;
