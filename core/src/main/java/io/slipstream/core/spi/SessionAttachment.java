package io.slipstream.core.spi;

/**
 * Which connection holds a session: the node it is on and its id there.
 *
 * <p>Immutable.
 *
 * @param node the node's id, as its {@link SessionStore#node()} says
 * @param connection the connection's id on that node
 */
public record SessionAttachment(String node, String connection) {

  public SessionAttachment {
    if (node == null || connection == null) {
      throw new IllegalArgumentException("node and connection are required");
    }
  }
}
