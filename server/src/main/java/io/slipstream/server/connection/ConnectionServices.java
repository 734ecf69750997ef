package io.slipstream.server.connection;

import io.slipstream.core.session.SessionRegistry;
import io.slipstream.core.time.Clock;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.eventbus.Lifecycle;
import io.slipstream.server.metrics.Metrics;
import io.slipstream.server.topic.TopicRegistry;

/**
 * What every connection of a node shares: settings, topics, connections, sessions, lifecycle
 * events and the clock.
 *
 * <p>Immutable; every component is thread-safe.
 */
public record ConnectionServices(
    SlipstreamConfig config,
    TopicRegistry topics,
    ConnectionRegistry connections,
    SessionRegistry sessions,
    Lifecycle lifecycle,
    Metrics metrics,
    Clock clock) {}
