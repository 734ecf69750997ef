/**
 * Cluster membership: the settings a member joins with and the Hazelcast configuration built from
 * them (TCP-IP join, the topic-log map with one sync backup, split-brain protection at {@code
 * minMembers}, fail-on-indeterminate-state, this module's serialization).
 */
package io.slipstream.cluster.member;
