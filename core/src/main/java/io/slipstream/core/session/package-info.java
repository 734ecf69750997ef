/**
 * Sessions: what outlives a connection (id, resume token, subscriptions and their acknowledged
 * positions) for {@code sessionTtlMs}, in a bounded registry. A client that resumes while its old
 * connection is still open takes the session over at once; the old connection hands its positions
 * over as it closes, so none are lost or restored from an older ack.
 */
package io.slipstream.core.session;
