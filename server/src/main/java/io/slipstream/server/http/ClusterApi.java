package io.slipstream.server.http;

import io.slipstream.server.protocol.ConnectionsQuery;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * What the HTTP API asks of the cluster in cluster mode: {@code GET /api/cluster}, and every
 * member's connections for {@code GET /api/connections?all=true} (docs/protocol.md §10).
 *
 * <p>Implementations are thread-safe.
 */
public interface ClusterApi {

  /** Answers {@code GET /api/cluster}. */
  void handleInfo(RoutingContext rc);

  /**
   * Every member's connections that {@code query} selects (each member applies it, so each sends at
   * most a page and one more); members that do not answer in time are left out.
   */
  Future<List<JsonObject>> connections(ConnectionsQuery query);
}
