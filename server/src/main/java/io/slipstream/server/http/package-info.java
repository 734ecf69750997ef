/** The HTTP API of docs/protocol.md §10: publish, inspect topics and connections, health. */
package io.slipstream.server.http;
