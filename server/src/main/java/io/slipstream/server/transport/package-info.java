/**
 * Client sockets behind one interface: WebSocket (and SockJS), each writing only while its own
 * write queue has room.
 */
package io.slipstream.server.transport;
