/**
 * What goes over the socket: the frame field scanner that reads {@code change} messages without
 * building a JSON tree, the client messages the tool sends, and the transports (WebSocket, SockJS
 * framed, SockJS raw) with their framing.
 */
package io.slipstream.loadtest.wire;
