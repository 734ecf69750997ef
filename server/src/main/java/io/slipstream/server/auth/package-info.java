/**
 * Who may connect and what they may read (docs/protocol.md §3 and §9): the {@link
 * io.slipstream.server.auth.TokenVerifier} that checks a JWT with vertx-auth-jwt, the {@link
 * io.slipstream.server.auth.Claims} a valid token grants (client id, topic patterns, QoS class,
 * expiry), the {@link io.slipstream.server.auth.Patterns} of topic and origin names, and the {@link
 * io.slipstream.server.auth.OriginPolicy} of the WebSocket and SockJS handshakes. A connection
 * keeps its claims; this package keeps no per-connection state.
 */
package io.slipstream.server.auth;
