/**
 * The scenarios, one class each named by its topology, and what they share: the {@link
 * io.slipstream.loadtest.scenario.Harness} (Vert.x, client verticles, publisher, sampler) and the
 * {@link io.slipstream.loadtest.scenario.Sampler} that turns counters into one {@link
 * io.slipstream.loadtest.report.Sample} and one progress line a second.
 */
package io.slipstream.loadtest.scenario;
