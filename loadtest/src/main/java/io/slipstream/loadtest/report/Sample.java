package io.slipstream.loadtest.report;

/**
 * One second of a run, as the sampler saw it. Rates are per second over the interval; counts are
 * cumulative since the run began; latencies are of the changes received in the interval, in
 * milliseconds (NaN when none arrived); CPU is in cores (1.0 = one core busy), memory in MiB (NaN
 * when not sampled). The server's view ({@code GET /api/connections}: events pending in buffers,
 * events dropped, the fullest buffer) is sampled only by scenarios that ask for it, -1 or NaN
 * otherwise.
 *
 * <p>Immutable.
 */
public record Sample(
    double t,
    String phase,
    int open,
    int live,
    long published,
    double publishedPerSec,
    long delivered,
    double deliveredPerSec,
    long droppedByServer,
    double droppedPerSec,
    long gaps,
    long duplicates,
    long closes4001,
    long reconnects,
    long latencyCount,
    double p50,
    double p90,
    double p99,
    double p999,
    double max,
    double serverCpu,
    double serverRssMb,
    double toolCpu,
    long serverPending,
    long serverDropped,
    double serverMaxFill) {}
