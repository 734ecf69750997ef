package io.slipstream.server.metrics;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * The operator files shipped in {@code docs/}: the Grafana dashboard and the Prometheus alert
 * rules, loaded as what they are (JSON, YAML), and the Slipstream metric names their queries use.
 *
 * <p>Stateless and thread-safe.
 */
public final class OperatorFiles {

  private static final Pattern METRIC = Pattern.compile("\\bslipstream_[a-z0-9_]+");

  private OperatorFiles() {}

  /** The repository's {@code docs/} directory, from the server module's working directory. */
  public static Path docs() {
    Path here = Path.of("").toAbsolutePath();
    Path docs = here.resolveSibling("docs");
    return Files.isDirectory(docs) ? docs : here.resolve("docs");
  }

  /** Every metric the dashboard's panel queries name. */
  public static Set<String> grafanaMetrics() {
    JsonObject dashboard = new JsonObject(read(docs().resolve("grafana/slipstream.json")));
    Set<String> names = new TreeSet<>();
    for (Object p : dashboard.getJsonArray("panels")) {
      JsonArray targets = ((JsonObject) p).getJsonArray("targets");
      for (Object t : targets) {
        names.addAll(metrics(((JsonObject) t).getString("expr")));
      }
    }
    return names;
  }

  /** The alert rules: each rule's name to the metrics its expression names. */
  @SuppressWarnings("unchecked")
  public static Map<String, Set<String>> alertMetrics() {
    Map<String, Object> file =
        new Yaml().load(read(docs().resolve("prometheus/slipstream-alerts.yml")));
    Map<String, Set<String>> out = new java.util.TreeMap<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
      for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
        out.put((String) rule.get("alert"), metrics((String) rule.get("expr")));
      }
    }
    return out;
  }

  /** The base names of a query's series ({@code _bucket}, {@code _count} and {@code _sum} kept). */
  static Set<String> metrics(String expr) {
    Set<String> names = new TreeSet<>();
    Matcher m = METRIC.matcher(expr);
    while (m.find()) {
      names.add(m.group());
    }
    return names;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
