package io.slipstream.loadtest.client;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where a server listens: scheme, host and port of {@code --url} (or {@code --ws-url}), and the
 * path of a full URL.
 *
 * <p>Immutable.
 */
public record Endpoint(boolean ssl, String host, int port, String path) {

  /**
   * Parses {@code url} ({@code http}, {@code https}, {@code ws} or {@code wss}).
   *
   * @throws IllegalArgumentException naming {@code option} when it is not such a URL
   */
  public static Endpoint parse(String url, String option) {
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("--" + option + " is not a URL: " + url);
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
    boolean ssl;
    switch (scheme) {
      case "http":
      case "ws":
        ssl = false;
        break;
      case "https":
      case "wss":
        ssl = true;
        break;
      default:
        throw new IllegalArgumentException(
            "--" + option + " must start with http://, https://, ws:// or wss://, was " + url);
    }
    if (u.getHost() == null) {
      throw new IllegalArgumentException("--" + option + " has no host: " + url);
    }
    int port = u.getPort() > 0 ? u.getPort() : (ssl ? 443 : 80);
    String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    if (u.getRawQuery() != null) {
      path += "?" + u.getRawQuery();
    }
    return new Endpoint(ssl, u.getHost(), port, path);
  }

  /** {@code http(s)://host:port}, for the HTTP API. */
  public String httpBase() {
    return (ssl ? "https://" : "http://") + host + ":" + port;
  }
}
