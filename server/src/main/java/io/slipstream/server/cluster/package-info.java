/**
 * A node as a member of a Slipstream cluster (docs/cluster.md): the clustered Vert.x over the
 * embedded Hazelcast member ({@link io.slipstream.server.cluster.ClusterNode}), and the node's one
 * control address and {@code GET /api/cluster} ({@link io.slipstream.server.cluster.Members}).
 * What sequences and feeds topics in a cluster lives in the {@code cluster} module; this package
 * only starts it and reports on it.
 */
package io.slipstream.server.cluster;
