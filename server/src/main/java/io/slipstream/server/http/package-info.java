/** The HTTP API of PROTOCOL.md §7: publish, inspect topics and connections, health. */
package io.slipstream.server.http;
