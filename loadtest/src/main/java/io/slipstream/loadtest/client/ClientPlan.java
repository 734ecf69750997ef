package io.slipstream.loadtest.client;

import io.slipstream.loadtest.wire.Transport;
import java.util.List;
import java.util.function.Consumer;

/**
 * What every client of one group does: where it connects, which topics it follows and how it
 * behaves (acks, reading speed, reconnects, state tracking).
 *
 * <p>Immutable.
 *
 * @param endpoint the server
 * @param transport WebSocket or SockJS
 * @param wsPath the WebSocket path ({@code /ws})
 * @param sockJsPath the SockJS prefix ({@code /sockjs})
 * @param topics the topics each client subscribes to
 * @param batch whether {@code hello} asks for batched frames
 * @param token the JWT for {@code hello.token}, or null
 * @param ackEvery send an {@code ack} after this many changes (and at least every second)
 * @param recordLatency whether to record receive time minus the row's {@code t}
 * @param slowAfterMs when at least 0, stop reading this long after the subscription is live
 * @param slowReadPerSecond while stopped, still read this many messages a second (0: none)
 * @param trackRows when above 0, keep each key's version ({@code k0..k<n-1>}) to compare the state
 *     with the server's at the end
 * @param reconnect whether to reconnect and resume after a close the client did not ask for
 * @param resumeWithToken whether reconnects send {@code hello.resume} and {@code positions}
 * @param reconnectDelayMs the delay before reconnecting, spread uniformly over [0.5, 1.5] times it
 * @param rawHello for a raw client: a text message sent after connecting, or null
 * @param nodes the nodes of a cluster, {@code endpoint} among them: after a failed connect or a
 *     close it did not ask for, the client reconnects to the next one in this list (empty: always
 *     {@code endpoint})
 * @param recordVersions whether to record which version ({@code v}) each seq carried, to check
 *     every acknowledged publish against the stream ({@code DeliveryCheck})
 * @param silenceMs when above 0, send {@code ping} every third of it and give the socket up when
 *     nothing at all arrived for this long (a hung server), then reconnect as after a close
 */
public record ClientPlan(
    Endpoint endpoint,
    Transport transport,
    String wsPath,
    String sockJsPath,
    List<String> topics,
    boolean batch,
    String token,
    int ackEvery,
    boolean recordLatency,
    long slowAfterMs,
    int slowReadPerSecond,
    int trackRows,
    boolean reconnect,
    boolean resumeWithToken,
    long reconnectDelayMs,
    String rawHello,
    List<Endpoint> nodes,
    boolean recordVersions,
    long silenceMs) {

  /** Validates the node list. */
  public ClientPlan {
    nodes = List.copyOf(nodes);
    if (!nodes.isEmpty() && !nodes.contains(endpoint)) {
      throw new IllegalArgumentException("endpoint " + endpoint + " is not one of nodes " + nodes);
    }
  }

  /** A plan for fast clients that follow {@code topics} and record latency. */
  public static ClientPlan fast(
      Endpoint endpoint,
      Transport transport,
      String wsPath,
      String sockJsPath,
      List<String> topics) {
    return new ClientPlan(
        endpoint,
        transport,
        wsPath,
        sockJsPath,
        List.copyOf(topics),
        false,
        null,
        1000,
        true,
        -1,
        0,
        0,
        false,
        false,
        200,
        null,
        List.of(),
        false,
        0);
  }

  /** This plan with {@code batch} and {@code token}. */
  public ClientPlan withHello(boolean batch, String token) {
    return with(
        b -> {
          b.batch = batch;
          b.token = token;
        });
  }

  /** This plan with acks every {@code n} changes. */
  public ClientPlan withAckEvery(int n) {
    return with(b -> b.ackEvery = n);
  }

  /** This plan for clients that stop reading {@code afterMs} after going live. */
  public ClientPlan slow(long afterMs, int readPerSecond) {
    return with(
        b -> {
          b.recordLatency = false;
          b.slowAfterMs = afterMs;
          b.slowReadPerSecond = readPerSecond;
        });
  }

  /** This plan tracking the versions of {@code rows} keys. */
  public ClientPlan trackingRows(int rows) {
    return with(b -> b.trackRows = rows);
  }

  /** This plan reconnecting after unplanned closes, resuming with the session token or not. */
  public ClientPlan reconnecting(boolean withToken, long delayMs) {
    return with(
        b -> {
          b.reconnect = true;
          b.resumeWithToken = withToken;
          b.reconnectDelayMs = delayMs;
        });
  }

  /** This plan for a raw client that sends {@code hello} (may be null) after connecting. */
  public ClientPlan raw(String hello) {
    return with(b -> b.rawHello = hello);
  }

  /**
   * This plan for a client of {@code nodes[home]} that fails over to the next node of the list,
   * records the versions it applies and gives a socket up after {@code silenceMs} of silence.
   */
  public ClientPlan onNodes(List<Endpoint> nodes, int home, long silenceMs) {
    return with(
        b -> {
          b.nodes = List.copyOf(nodes);
          b.endpoint = nodes.get(home);
          b.recordVersions = true;
          b.silenceMs = silenceMs;
        });
  }

  /** A copy of this plan with the components {@code change} sets. */
  private ClientPlan with(Consumer<Builder> change) {
    Builder b = new Builder(this);
    change.accept(b);
    return b.build();
  }

  /** The components of a plan, mutable, to copy one with a few of them changed. */
  private static final class Builder {
    private Endpoint endpoint;
    private final Transport transport;
    private final String wsPath;
    private final String sockJsPath;
    private final List<String> topics;
    private boolean batch;
    private String token;
    private int ackEvery;
    private boolean recordLatency;
    private long slowAfterMs;
    private int slowReadPerSecond;
    private int trackRows;
    private boolean reconnect;
    private boolean resumeWithToken;
    private long reconnectDelayMs;
    private String rawHello;
    private List<Endpoint> nodes;
    private boolean recordVersions;
    private long silenceMs;

    private Builder(ClientPlan p) {
      endpoint = p.endpoint;
      transport = p.transport;
      wsPath = p.wsPath;
      sockJsPath = p.sockJsPath;
      topics = p.topics;
      batch = p.batch;
      token = p.token;
      ackEvery = p.ackEvery;
      recordLatency = p.recordLatency;
      slowAfterMs = p.slowAfterMs;
      slowReadPerSecond = p.slowReadPerSecond;
      trackRows = p.trackRows;
      reconnect = p.reconnect;
      resumeWithToken = p.resumeWithToken;
      reconnectDelayMs = p.reconnectDelayMs;
      rawHello = p.rawHello;
      nodes = p.nodes;
      recordVersions = p.recordVersions;
      silenceMs = p.silenceMs;
    }

    private ClientPlan build() {
      return new ClientPlan(
          endpoint,
          transport,
          wsPath,
          sockJsPath,
          topics,
          batch,
          token,
          ackEvery,
          recordLatency,
          slowAfterMs,
          slowReadPerSecond,
          trackRows,
          reconnect,
          resumeWithToken,
          reconnectDelayMs,
          rawHello,
          nodes,
          recordVersions,
          silenceMs);
    }
  }
}
