/**
 * What a run leaves behind: the per-second {@link io.slipstream.loadtest.report.Sample}s, the
 * server's {@link io.slipstream.loadtest.report.ResourceSample}s of long runs (with their {@link
 * io.slipstream.loadtest.report.LeastSquares} slopes), the {@link
 * io.slipstream.loadtest.report.RunResult} with its checks, and its three renderings: a text
 * table on stdout, {@code result.json}, and a self-contained {@code report.html} whose charts are
 * inline SVG drawn by {@link io.slipstream.loadtest.report.SvgChart} (no scripts, no CDN).
 */
package io.slipstream.loadtest.report;
