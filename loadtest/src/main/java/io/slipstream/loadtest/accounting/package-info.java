/**
 * Accounts for every seq a client is owed: the per-topic {@link
 * io.slipstream.loadtest.accounting.SeqAccountant} checks order (docs/protocol.md §5), the {@link
 * io.slipstream.loadtest.accounting.Tally} sums outcomes over all clients, and {@link
 * io.slipstream.loadtest.accounting.RawAccountant} does the same for servers with no seqs.
 */
package io.slipstream.loadtest.accounting;
