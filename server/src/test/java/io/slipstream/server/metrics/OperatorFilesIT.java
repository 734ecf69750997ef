package io.slipstream.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.testing.TestServer;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shipped Grafana dashboard ({@code docs/grafana/}) and Prometheus alert rules ({@code
 * docs/prometheus/}) query only meters a node serves: every metric they name is in a fresh single
 * node's {@code /metrics}, except the {@code slipstream_cluster_*} ones, which ClusterIT checks
 * against a clustered node; and every alert is explained in {@code docs/operations.md}.
 */
class OperatorFilesIT {

  private TestServer server;

  @BeforeEach
  void start() {
    server = TestServer.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void everyMetricTheDashboardAndTheAlertsNameIsServed() {
    Set<String> served = series(server.request("GET", "/metrics", null).body());
    Set<String> named = new TreeSet<>(OperatorFiles.grafanaMetrics());
    OperatorFiles.alertMetrics().values().forEach(named::addAll);
    assertThat(named).as("the files name metrics").hasSizeGreaterThan(15);
    Set<String> missing = new TreeSet<>();
    for (String m : named) {
      if (!m.startsWith("slipstream_cluster_") && !served.contains(m)) {
        missing.add(m);
      }
    }
    assertThat(missing)
        .as("named in docs/grafana or docs/prometheus, absent from /metrics")
        .isEmpty();
  }

  @Test
  void everyAlertIsExplainedInOperationsMd() throws Exception {
    String ops = Files.readString(OperatorFiles.docs().resolve("operations.md"));
    Map<String, Set<String>> alerts = OperatorFiles.alertMetrics();
    assertThat(alerts)
        .containsKeys(
            "SlipstreamSustainedDrops",
            "SlipstreamSlowConsumerDisconnects",
            "SlipstreamAckLagHigh",
            "SlipstreamEventLoopDelay",
            "SlipstreamReplicaLag");
    for (String alert : alerts.keySet()) {
      assertThat(ops).as("operations.md explains %s", alert).contains("`" + alert + "`");
    }
  }

  /** The series names of Prometheus text (without labels). */
  static Set<String> series(String text) {
    Set<String> out = new HashSet<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int end = line.indexOf('{');
      out.add(line.substring(0, end >= 0 ? end : line.indexOf(' ')));
    }
    return out;
  }
}
