package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.accounting.DeliveryCheck;
import io.slipstream.loadtest.client.ClientReport;
import io.slipstream.loadtest.publish.PublishReport;
import io.slipstream.loadtest.report.Check;
import io.slipstream.loadtest.report.Percentiles;
import io.slipstream.loadtest.report.RunResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * The {@code cluster} scenario's figures and checks: retries, every acknowledged publish at every
 * subscriber (docs/protocol.md §9, guarantees 9 and 10), one epoch, stalls by phase, latency by
 * where a change was published, the authoritative rows (guarantee 2), and what became of the
 * clients of the nodes the failover plan killed.
 *
 * <p>Stateless; called on the main thread.
 */
final class ClusterFigures {

  static final String DELIVERY = "every acknowledged publish";
  static final String STALLS = "stalls by phase";
  static final String BY_NODE = "latency by publishing node (ms)";
  static final String ROWS = "rows (guarantee 2)";

  private ClusterFigures() {}

  /** Retries by reason, publishes that failed for good, and the publish latency. */
  static void publishing(RunResult r, PublishReport p) {
    String c = ClusterScenario.CLUSTER;
    r.put(c, "publish retries", p.retries());
    for (Map.Entry<String, Long> e : new java.util.TreeMap<>(p.retryReasons()).entrySet()) {
      r.put(c, "retries after " + e.getKey(), e.getValue());
    }
    r.put(c, "changes of publishes that failed for good", p.failedChanges());
    Histogram l = p.publishLatency();
    if (l != null && l.getTotalCount() > 0) {
      r.put(c, "publish p50 ms (first request to 200)", Percentiles.round(Percentiles.ms(l, 50)));
      r.put(c, "publish p99 ms (first request to 200)", Percentiles.round(Percentiles.ms(l, 99)));
      r.put(c, "publish max ms (first request to 200)", l.getMaxValue() / 1000.0);
    }
    Runs.checkPublished(r, p);
    r.check(
        Check.equal(
            "every 200 named as many seqs as its body had changes", p.countMismatches(), 0));
  }

  /** The per-client table with the cluster's columns, and the out-of-order check. */
  static void clients(
      RunResult r,
      String topic,
      List<ClientReport> reports,
      PublishReport p,
      int reached,
      int named) {
    SoakFigures.clients(
        r,
        topic,
        reports,
        p,
        reached,
        named,
        c -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("out of order", c.outOfOrder());
          m.put("home node", homeNode(c.id()) < 0 ? "fresh" : homeNode(c.id()));
          m.put("node at the end", c.node() == null ? "" : c.node());
          m.put("failovers", c.failovers());
          m.put("resumed", c.resumes());
          m.put("epoch changes", c.epochChanges());
          return m;
        });
    List<String> reordered = new ArrayList<>();
    long total = 0;
    for (ClientReport c : reports) {
      if (c.outOfOrder() > 0) {
        reordered.add(c.id() + " (" + c.outOfOrder() + ")");
        total += c.outOfOrder();
      }
    }
    r.put(SoakFigures.CLIENTS, "changes out of order", total);
    r.check(
        Check.of(
            "no client got a change out of order",
            reordered.isEmpty(),
            reordered.isEmpty() ? "0" : total + ": " + SoakFigures.first(reordered, named)));
  }

  /** Every 200 at every subscriber, once, at its seq, with the version its body carried. */
  static void delivery(RunResult r, List<ClientReport> reports, PublishReport p, int named) {
    if (p.acked() == null) {
      r.note("the bodies carried no version numbering: acknowledged publishes not checked");
      return;
    }
    long expected = 0;
    long delivered = 0;
    long missing = 0;
    long wrong = 0;
    long twice = 0;
    long unacked = 0;
    int checked = 0;
    List<String> failing = new ArrayList<>();
    for (ClientReport c : reports) {
      if (c.versions() == null) {
        continue;
      }
      checked++;
      if (c.versions().overflowed()) {
        failing.add(c.id() + ": too many runs to check");
        continue;
      }
      DeliveryCheck.Result d = DeliveryCheck.check(p.acked(), c.versions());
      expected += d.expected();
      delivered += d.delivered();
      missing += d.missing();
      wrong += d.wrongVersion();
      twice += d.versionsTwice();
      unacked += d.unacknowledged();
      if (!d.exact()) {
        // After a reset the new snapshot stands for the seqs before it: name the reset.
        String reset = c.resets() > 0 ? " (after " + c.resets() + " reset)" : "";
        failing.add(c.id() + ": " + d.first() + reset);
      }
    }
    long ackedTwice = DeliveryCheck.seqsAckedTwice(p.acked());
    r.put(DELIVERY, "acknowledged changes", p.acked().total());
    r.put(DELIVERY, "subscribers checked", checked);
    r.put(DELIVERY, "expected (acknowledged × subscribers, after each one's start)", expected);
    r.put(DELIVERY, "delivered once at its seq", delivered);
    r.put(DELIVERY, "missing", missing);
    r.put(DELIVERY, "another change at an acknowledged seq", wrong);
    r.put(DELIVERY, "changes applied at two seqs", twice);
    r.put(DELIVERY, "applied without a 200 (answer lost or failed for good)", unacked);
    r.put(DELIVERY, "seqs acknowledged to two publishes", ackedTwice);
    r.check(
        Check.of(
            "every publish answered 200 reached every subscriber once, at its seq",
            failing.isEmpty() && checked == reports.size() && expected > 0,
            failing.isEmpty()
                ? delivered + " of " + expected + " over " + checked + " subscribers"
                : failing.size() + " subscribers: " + SoakFigures.first(failing, named)));
    r.check(Check.equal("no seq acknowledged to two publishes", ackedTwice, 0));
  }

  /** One epoch: every subscriber's, every answer's and every node's rows'. */
  static void epochs(
      RunResult r, List<ClientReport> reports, PublishReport p, Map<String, ServerRows> rows) {
    Set<String> seen = new LinkedHashSet<>();
    long changes = p.epochChanges();
    long resets = 0;
    for (ClientReport c : reports) {
      for (String e : c.epochs().values()) {
        if (e != null) {
          seen.add(e);
        }
      }
      changes += c.epochChanges();
      resets += c.resets();
    }
    if (p.epoch() != null) {
      seen.add(p.epoch());
    }
    for (ServerRows s : rows.values()) {
      if (s.epoch() != null) {
        seen.add(s.epoch());
      }
    }
    String c = ClusterScenario.CLUSTER;
    r.put(c, "epochs seen", seen.size());
    r.put(c, "epoch changes (answers and subscriptions)", changes);
    r.put(c, "resets", resets);
    r.check(
        Check.of(
            "one epoch throughout (no epoch change, no reset)",
            seen.size() == 1 && changes == 0 && resets == 0,
            seen + ", " + changes + " changes, " + resets + " resets"));
  }

  /** The longest stalls of each phase, and of the run. */
  static void stalls(RunResult r, Stalls stalls) {
    List<Map<String, Object>> table = new ArrayList<>();
    double all = 0;
    double one = 0;
    double publish = 0;
    List<String> names = stalls.names();
    for (int i = 0; i < names.size(); i++) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("phase", names.get(i));
      row.put("no subscriber received, longest ms", Percentiles.round(stalls.allMs(i)));
      row.put("one subscriber went without, longest ms", Percentiles.round(stalls.oneMs(i)));
      row.put("publish incl. retries, longest ms", Percentiles.round(stalls.publishMs(i)));
      table.add(row);
      all = Math.max(all, stalls.allMs(i));
      one = Math.max(one, stalls.oneMs(i));
      publish = Math.max(publish, stalls.publishMs(i));
    }
    r.table(STALLS, table);
    String c = ClusterScenario.CLUSTER;
    r.put(c, "longest stall, no subscriber received ms", Percentiles.round(all));
    r.put(c, "longest stall, one subscriber ms", Percentiles.round(one));
    r.put(c, "longest publish incl. retries ms", Percentiles.round(publish));
  }

  /** Latency of changes published through another node than the receiver's, and its own. */
  static void latency(RunResult r, Histogram cross, Histogram same, int nodes) {
    put(r, "cross-node", cross);
    put(r, "same node", same);
    if (nodes > 1 && cross.getTotalCount() == 0) {
      r.note("no cross-node latency was recorded although the run had " + nodes + " nodes");
    }
  }

  private static void put(RunResult r, String which, Histogram h) {
    r.put(BY_NODE, which + " deliveries", h.getTotalCount());
    if (h.getTotalCount() > 0) {
      r.put(BY_NODE, which + " p50", Percentiles.round(Percentiles.ms(h, 50)));
      r.put(BY_NODE, which + " p99", Percentiles.round(Percentiles.ms(h, 99)));
      r.put(BY_NODE, which + " max", h.getMaxValue() / 1000.0);
    }
  }

  /**
   * Every node that serves at the end has the same rows, at the last acknowledged seq, and every
   * subscriber (the fresh ones, who started from a snapshot mid-run, above all) holds exactly them.
   */
  static void rows(
      RunResult r,
      List<ClientReport> reports,
      Map<String, ServerRows> rows,
      PublishReport p,
      int named) {
    if (rows.isEmpty()) {
      r.check(Check.of("the authoritative rows were read", false, "no node answered …/rows"));
      return;
    }
    ServerRows authority = rows.values().iterator().next();
    List<String> disagreeing = new ArrayList<>();
    for (Map.Entry<String, ServerRows> e : rows.entrySet()) {
      if (!e.getValue().equals(authority)) {
        disagreeing.add(e.getKey() + ": " + e.getValue());
      }
    }
    r.put(ROWS, "nodes read", rows.size());
    r.put(ROWS, "rows", authority.size());
    r.put(ROWS, "seq", authority.seq());
    r.check(
        Check.of(
            "every node serves the same rows",
            disagreeing.isEmpty(),
            disagreeing.isEmpty() ? rows.keySet().toString() : authority + " vs " + disagreeing));
    if (p.failedRequests() == 0) {
      r.check(
          Check.equal("the rows are at the last acknowledged seq", authority.seq(), p.lastSeq()));
    }
    int fresh = 0;
    int freshRight = 0;
    List<String> wrong = new ArrayList<>();
    for (ClientReport c : reports) {
      String d = authority.firstDifference(c.id(), c.rows());
      boolean isFresh = homeNode(c.id()) < 0;
      fresh += isFresh ? 1 : 0;
      if (d == null) {
        freshRight += isFresh ? 1 : 0;
      } else {
        wrong.add(d);
      }
    }
    r.put(ROWS, "subscribers with other rows", wrong.size());
    if (fresh > 0) {
      r.check(
          Check.of(
              "fresh subscribers (a snapshot mid-run) end with the authoritative rows",
              freshRight == fresh,
              freshRight + " of " + fresh));
    }
    r.check(
        Check.of(
            "every subscriber ends with the authoritative rows",
            wrong.isEmpty(),
            wrong.isEmpty()
                ? reports.size() + " of " + reports.size()
                : SoakFigures.first(wrong, named)));
  }

  /** The clients of the killed owner and of the hung node moved to other nodes and resumed. */
  static void failover(RunResult r, List<ClientReport> reports, Failover.Outcome plan) {
    moved(r, reports, plan.killed(), "the killed owner's clients");
    moved(r, reports, plan.hung(), "the hung node's clients");
  }

  private static void moved(RunResult r, List<ClientReport> reports, int node, String whose) {
    if (node < 0) {
      return;
    }
    int clients = 0;
    int moved = 0;
    int resumed = 0;
    for (ClientReport c : reports) {
      if (homeNode(c.id()) != node) {
        continue;
      }
      clients++;
      moved += c.failovers() > 0 ? 1 : 0;
      resumed += c.failovers() > 0 && c.resumes() > 0 ? 1 : 0;
    }
    r.put(ClusterScenario.FAILOVER, whose + " (node " + node + ")", clients);
    r.put(ClusterScenario.FAILOVER, whose + ": moved to another node", moved);
    r.put(ClusterScenario.FAILOVER, whose + ": resumed there (resumed:true)", resumed);
    r.check(
        Check.of(
            whose + " resumed on another node with their token and positions",
            clients > 0 && resumed == clients,
            resumed + " of " + clients + " resumed, " + moved + " moved"));
  }

  /** The node a client was first connected to, from its id ({@code lt-n<i>-<k>}), or -1. */
  static int homeNode(String id) {
    if (!id.startsWith("lt-n")) {
      return -1;
    }
    int dash = id.indexOf('-', 4);
    try {
      return Integer.parseInt(id.substring(4, dash < 0 ? id.length() : dash));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
