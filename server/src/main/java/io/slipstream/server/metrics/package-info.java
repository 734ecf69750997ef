/** Micrometer meters of the node, exposed as Prometheus text at {@code /metrics}. */
package io.slipstream.server.metrics;
