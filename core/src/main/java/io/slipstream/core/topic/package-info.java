/**
 * Topics: named, keyed tables of rows with a gap-free sequencer, an epoch, and persistent row
 * maps that make snapshots free. Also the validation rules for topic names, keys, ops and rows.
 */
package io.slipstream.core.topic;
