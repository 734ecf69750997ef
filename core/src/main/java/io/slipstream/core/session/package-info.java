/**
 * Sessions: what outlives a connection (id, resume token, subscriptions and their acknowledged
 * positions) for {@code sessionTtlMs}, in a bounded registry.
 */
package io.slipstream.core.session;
