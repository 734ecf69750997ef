package io.slipstream.loadtest.publish;

import io.slipstream.loadtest.accounting.VersionRuns;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one publishing phase achieved.
 *
 * <p>Immutable.
 *
 * @param requests requests answered
 * @param sent changes sent
 * @param accepted changes the server accepted (from {@code firstSeq..lastSeq}, or 2xx answers)
 * @param failedRequests publishes that failed for good (answered with an error, not answered, or
 *     still refused after every attempt)
 * @param firstError the first failure, or null
 * @param epoch the topic's epoch from the last answer, or null
 * @param firstSeq the first seq assigned in this phase, or -1
 * @param lastSeq the last seq assigned, or -1
 * @param seconds how long the phase took, including the last answers
 * @param targetRate the rate asked for
 * @param maxLag the largest number of due changes not yet sent (the publisher falling behind)
 * @param roundTrips request round trips, send to answer, in microseconds
 * @param retries requests sent again after a 503 or an I/O failure
 * @param retryReasons retries by reason ({@code 503 indeterminate}, {@code I/O: …})
 * @param epochChanges answers whose epoch differed from the answer before
 * @param failedChanges changes of the publishes that failed for good
 * @param countMismatches answers whose {@code lastSeq - firstSeq + 1} was not the body's count
 * @param publishLatency publishes, first request to the 200, retries included, in microseconds
 * @param acked every 200's seqs with the versions its body carried, or null when the bodies carry
 *     no numbering
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
    Histogram roundTrips,
    long retries,
    Map<String, Long> retryReasons,
    long epochChanges,
    long failedChanges,
    long countMismatches,
    Histogram publishLatency,
    VersionRuns acked) {

  /** A report of a phase that sent each publish once, to one node. */
  public PublishReport(
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
      Histogram roundTrips) {
    this(
        requests,
        sent,
        accepted,
        failedRequests,
        firstError,
        epoch,
        firstSeq,
        lastSeq,
        seconds,
        targetRate,
        maxLag,
        roundTrips,
        0,
        Map.of(),
        0,
        0,
        0,
        null,
        null);
  }

  /** Changes accepted per second. */
  public double achievedRate() {
    return seconds <= 0 ? 0 : accepted / seconds;
  }
}
