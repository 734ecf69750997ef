package io.slipstream.server.connection;

import io.slipstream.core.spi.SessionStore;
import io.slipstream.core.time.Clock;
import io.slipstream.server.auth.TokenVerifier;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.eventbus.Lifecycle;
import io.slipstream.server.metrics.Metrics;
import io.slipstream.server.topic.TopicRegistry;

/**
 * What every connection of a node shares: settings, topics, connections, the session store and the
 * way to connections on other nodes, lifecycle events, the clock, the token verifier and the
 * buffers' budget.
 *
 * <p>Immutable; every component is thread-safe. {@code tokens} is null when the server checks no
 * tokens (no {@code jwtSecret}, {@code jwtPublicKey} or {@code jwtJwksFile}).
 */
public record ConnectionServices(
    SlipstreamConfig config,
    TopicRegistry topics,
    ConnectionRegistry connections,
    SessionStore sessions,
    RemoteConnections remote,
    Lifecycle lifecycle,
    Metrics metrics,
    Clock clock,
    TokenVerifier tokens,
    BufferBudget budget) {}
