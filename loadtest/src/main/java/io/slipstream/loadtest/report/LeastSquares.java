package io.slipstream.loadtest.report;

/**
 * The straight line that fits a series best by ordinary least squares, to turn a noisy reading
 * over time (heap after GC, open file descriptors) into one slope.
 *
 * <p>Stateless and thread-safe.
 */
public final class LeastSquares {

  /**
   * A fitted line {@code y = intercept + slope * x} over {@code n} points.
   *
   * @param slope y units per x unit; NaN with fewer than two distinct x
   * @param intercept y at x = 0; NaN when {@code slope} is
   * @param n the finite points used
   */
  public record Fit(double slope, double intercept, int n) {

    /** The line's y at {@code x}. */
    public double at(double x) {
      return intercept + slope * x;
    }
  }

  private LeastSquares() {}

  /**
   * Fits {@code y} over {@code x}; pairs where either is NaN or infinite are left out. The two
   * arrays have the same length.
   *
   * @throws IllegalArgumentException when the lengths differ
   */
  public static Fit fit(double[] x, double[] y) {
    if (x.length != y.length) {
      throw new IllegalArgumentException(
          "x and y must have the same length, were " + x.length + " and " + y.length);
    }
    int n = 0;
    double sx = 0;
    double sy = 0;
    for (int i = 0; i < x.length; i++) {
      if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
        n++;
        sx += x[i];
        sy += y[i];
      }
    }
    if (n < 2) {
      return new Fit(Double.NaN, Double.NaN, n);
    }
    double mx = sx / n;
    double my = sy / n;
    // Centred sums: the times of a long run are large next to their spread.
    double sxx = 0;
    double sxy = 0;
    for (int i = 0; i < x.length; i++) {
      if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
        double dx = x[i] - mx;
        sxx += dx * dx;
        sxy += dx * (y[i] - my);
      }
    }
    if (sxx == 0) {
      return new Fit(Double.NaN, Double.NaN, n);
    }
    double slope = sxy / sxx;
    return new Fit(slope, my - slope * mx, n);
  }
}
