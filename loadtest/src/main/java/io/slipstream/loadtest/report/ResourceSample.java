package io.slipstream.loadtest.report;

/**
 * One reading of the server's resources, taken every few seconds by a long run ({@code soak}):
 * heap after a full GC, RSS, open file descriptors and threads of the server process, its sessions
 * and connections as it reports them, and the tool's own counters at the same moment. {@code t} is
 * on the same clock as the per-second {@link Sample}s. Memory is in MiB; NaN or -1 where not
 * measured.
 *
 * <p>Immutable.
 *
 * @param t seconds since the run began
 * @param phase the run's phase
 * @param steady whether it was taken in the steady part of the run (load on, warm-up and wind-down
 *     excluded): slopes are fitted to these readings only
 * @param heapAfterGcMb the server's heap in use after a full GC, MiB
 * @param rssMb the server's resident memory, MiB
 * @param fds the server's open file descriptors ({@code /proc/PID/fd})
 * @param threads the server's threads ({@code /proc/PID/stat})
 * @param sessions sessions the server holds ({@code slipstream_sessions} of {@code /metrics})
 * @param serverConnections connections the server holds ({@code slipstream_connections})
 * @param listedConnections entries of {@code GET /api/connections}
 * @param open sockets the tool's clients hold open
 * @param reconnects the tool's reconnects so far
 * @param published changes accepted so far
 * @param delivered changes the clients applied so far
 * @param lost seqs lost so far (gaps)
 * @param doubled changes doubled so far
 */
public record ResourceSample(
    double t,
    String phase,
    boolean steady,
    double heapAfterGcMb,
    double rssMb,
    int fds,
    int threads,
    long sessions,
    long serverConnections,
    int listedConnections,
    int open,
    long reconnects,
    long published,
    long delivered,
    long lost,
    long doubled) {}
