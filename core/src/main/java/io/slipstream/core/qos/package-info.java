/**
 * QoS classes (docs/protocol.md §5): named sets of a connection's buffer bounds, drop policy,
 * thresholds, {@code sustainMs} and outbound rate, and the rule that picks a connection's class
 * from what its session kept, its token's {@code qos} claim and what its {@code hello} asked for.
 * Plain immutable values; the server binds them from its configuration file and applies them.
 */
package io.slipstream.core.qos;
