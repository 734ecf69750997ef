/**
 * Starting and stopping a node: {@code Main} (settings, Vert.x with metrics, the SIGTERM hook),
 * {@code SlipstreamServer} (deploys the sequencers and one edge verticle per event loop, drains
 * on shutdown) and {@code ServerVerticle} (HTTP API, {@code /ws}, {@code /sockjs}, static files,
 * {@code /metrics} on one event loop).
 */
package io.slipstream.server.bootstrap;
