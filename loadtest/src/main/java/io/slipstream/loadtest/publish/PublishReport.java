package io.slipstream.loadtest.publish;

/**
 * What one publishing phase achieved.
 *
 * <p>Immutable.
 *
 * @param requests requests answered
 * @param sent changes sent
 * @param accepted changes the server accepted (from {@code firstSeq..lastSeq}, or 2xx answers)
 * @param failedRequests requests answered with an error or not answered
 * @param firstError the first failure, or null
 * @param epoch the topic's epoch from the last answer, or null
 * @param firstSeq the first seq assigned in this phase, or -1
 * @param lastSeq the last seq assigned, or -1
 * @param seconds how long the phase took, including the last answers
 * @param targetRate the rate asked for
 * @param maxLag the largest number of due changes not yet sent (the publisher falling behind)
 * @param roundTrips request round trips, send to answer, in microseconds
 */
public record PublishReport(
    long requests,
    long sent,
    long accepted,
    long failedRequests,
    String firstError,
    String epoch,
    long firstSeq,
    long lastSeq,
    double seconds,
    double targetRate,
    long maxLag,
    org.HdrHistogram.Histogram roundTrips) {

  /** Changes accepted per second. */
  public double achievedRate() {
    return seconds <= 0 ? 0 : accepted / seconds;
  }
}
