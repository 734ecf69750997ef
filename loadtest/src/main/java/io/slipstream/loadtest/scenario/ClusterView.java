package io.slipstream.loadtest.scenario;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One reading of {@code GET /api/cluster} (docs/protocol.md §7): the answering node and every
 * member with its figures.
 *
 * <p>Immutable.
 *
 * @param node the answering node's id
 * @param minMembers the members a publish needs
 * @param members every member the answering node knows
 */
record ClusterView(String node, int minMembers, List<Member> members) {

  /**
   * One member.
   *
   * @param id its node id, or null when it has none yet
   * @param address where it listens for the cluster, {@code host:port}
   * @param self whether it is the answering node
   * @param reachable whether it answered the answering node in time
   * @param connections its client connections
   * @param topicsOwned topics whose authoritative entry it holds as primary
   * @param replicaLag seqs its replicas are behind the authority
   */
  record Member(
      String id,
      String address,
      boolean self,
      boolean reachable,
      long connections,
      long topicsOwned,
      long replicaLag) {}

  ClusterView {
    members = List.copyOf(members);
  }

  /** Reads the answer; absent figures count as 0, an absent {@code reachable} as false. */
  static ClusterView parse(JsonObject o) {
    List<Member> members = new ArrayList<>();
    JsonArray list = o.getJsonArray("members", new JsonArray());
    for (Object e : list) {
      if (!(e instanceof JsonObject)) {
        continue;
      }
      JsonObject m = (JsonObject) e;
      members.add(
          new Member(
              m.getString("id"),
              m.getString("address"),
              Boolean.TRUE.equals(m.getBoolean("self")),
              Boolean.TRUE.equals(m.getBoolean("reachable")),
              number(m, "connections"),
              number(m, "topicsOwned"),
              number(m, "replicaLag")));
    }
    Object min = o.getValue("minMembers");
    return new ClusterView(
        o.getString("node"), min instanceof Number ? ((Number) min).intValue() : -1, members);
  }

  private static long number(JsonObject m, String field) {
    Object v = m.getValue(field);
    return v instanceof Number ? ((Number) v).longValue() : 0;
  }

  /**
   * The address of the member that owns the most topics (for a run of one topic: its primary), or
   * null when none owns any or two own as many.
   */
  String owner() {
    Member best = null;
    boolean tie = false;
    for (Member m : members) {
      if (m.topicsOwned() <= 0) {
        continue;
      }
      if (best == null || m.topicsOwned() > best.topicsOwned()) {
        best = m;
        tie = false;
      } else if (m.topicsOwned() == best.topicsOwned()) {
        tie = true;
      }
    }
    return best == null || tie ? null : best.address();
  }

  /** Whether exactly {@code n} members are listed and every one answered. */
  boolean allReachable(int n) {
    return members.size() == n && members.stream().allMatch(Member::reachable);
  }
}
