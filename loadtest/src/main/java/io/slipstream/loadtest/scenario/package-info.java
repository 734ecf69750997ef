/**
 * The scenarios, one class each named by its topology, and what they share: the {@link
 * io.slipstream.loadtest.scenario.Harness} (Vert.x, client verticles, publisher, sampler) and the
 * {@link io.slipstream.loadtest.scenario.Sampler} that turns counters into one {@link
 * io.slipstream.loadtest.report.Sample} and one progress line a second. Long runs ({@code soak})
 * also read the server's resources every few seconds through a {@link
 * io.slipstream.loadtest.scenario.ResourceProbe}: {@code /proc}, {@code jcmd}, and the server's
 * {@code GET /metrics} (Prometheus text) and {@code GET /api/connections}. The {@code cluster}
 * scenario starts its own nodes ({@code LocalCluster}, one {@code NodeProcess} per server JVM,
 * signalled only by the PID the tool holds) and runs its failover plan ({@code Failover}) while
 * it publishes.
 */
package io.slipstream.loadtest.scenario;
