/**
 * The publisher: the tool itself posts changes at a target rate through the HTTP API (or, for the
 * {@code raw} scenario, to any URL), stamping its send time into every row and padding rows to the
 * requested size.
 */
package io.slipstream.loadtest.publish;
