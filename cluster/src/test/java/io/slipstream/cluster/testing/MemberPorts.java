package io.slipstream.cluster.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for Hazelcast members in tests, on 127.0.0.1, below Linux's ephemeral range (32768 and up
 * by default). A port the kernel hands out for {@code bind(0)} is also one it hands out to any
 * outgoing connection, and a test's members, clients and the other tests of the JVM make many: a
 * member that binds it a moment later then fails with "address already in use". Below the range,
 * only another test picking the same number can take it, which the bind check and the random pick
 * make unlikely.
 *
 * <p>Thread-safe.
 */
public final class MemberPorts {

  private static final int FROM = 20_000;
  private static final int TO = 32_000;

  private MemberPorts() {}

  /** A port of 127.0.0.1 in [20000, 32000) that could be bound just now. */
  public static int free() {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(FROM, TO);
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(false);
        s.bind(new InetSocketAddress(loopback, port));
        return port;
      } catch (IOException taken) {
        // Try another.
      }
    }
    throw new IllegalStateException("no free port in [" + FROM + ", " + TO + ") of 127.0.0.1");
  }
}
