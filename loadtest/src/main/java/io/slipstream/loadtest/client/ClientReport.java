package io.slipstream.loadtest.client;

import io.slipstream.loadtest.accounting.VersionRuns;
import java.util.Map;

/**
 * What one client saw, summed over its topics and connections.
 *
 * <p>Immutable snapshot, taken on the client's event loop.
 *
 * @param id the client id
 * @param slow whether it was a client that stops reading
 * @param open whether its socket is open
 * @param live whether every subscription is live
 * @param received live and replayed changes applied (for raw clients: distinct messages)
 * @param snapshotRows snapshot rows received
 * @param droppedByServer seqs named by {@code dropped}
 * @param gaps lost seqs (violations)
 * @param duplicates doubled seqs (violations)
 * @param protocolErrors other violations
 * @param resets {@code reset} messages
 * @param reconnects sockets opened after the first
 * @param lastCloseCode the code of the last close, 0 when never closed
 * @param last per topic, the last seq applied
 * @param epochs per topic, the epoch of the last subscription
 * @param rows per key index, the version applied (-1: absent), or null when not tracked
 * @param outOfOrder of the duplicates, changes below the last seq applied
 * @param epochChanges times a subscription came back in another epoch
 * @param resumes {@code welcome} with {@code resumed: true}
 * @param failovers reconnects that went to another node of the plan's list
 * @param node {@code host:port} of the node the client is (or was last) connected to, or null
 *     when its plan has no node list
 * @param versions which version sat at which seq of its first topic, or null when not recorded
 */
public record ClientReport(
    String id,
    boolean slow,
    boolean open,
    boolean live,
    long received,
    long snapshotRows,
    long droppedByServer,
    long gaps,
    long duplicates,
    long protocolErrors,
    long resets,
    long reconnects,
    int lastCloseCode,
    Map<String, Long> last,
    Map<String, String> epochs,
    long[] rows,
    long outOfOrder,
    long epochChanges,
    long resumes,
    long failovers,
    String node,
    VersionRuns versions) {}
