package io.slipstream.server;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The server's package rules (style.md: architecture you can see). */
class ArchitectureTest {

  private static final String PROTOCOL = "io.slipstream.server.protocol..";
  private static final String CONFIG = "io.slipstream.server.config..";
  private static final String VERTX_JSON = "io.vertx.core.json..";

  private static final JavaClasses SERVER =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.slipstream.server");

  /**
   * Why JSON stays in protocol: the protocol package is the only one that knows the JSON field
   * names of the wire, of the HTTP answers and of the event-bus bodies; config reads the
   * configuration file. Elsewhere a {@code JsonObject} may only pass through as an opaque value:
   * an event-bus body that protocol built, or one received and handed to protocol to read.
   */
  private static final String JSON_STAYS_IN_PROTOCOL =
      "protocol is the only package that knows JSON field names (docs/protocol.md §3, §4, §10,"
          + " §11) and config reads the configuration file; elsewhere a JsonObject is only an"
          + " opaque event-bus body that protocol built or will read";

  /**
   * Clustering plugs in behind core's SPI at the wiring: only bootstrap, topic (sequencing) and
   * cluster (membership, control address) know the cluster module or Hazelcast. The read side
   * (connections, hubs, transports, protocol, HTTP) is the same on a single node and in a
   * cluster (issue 8: "the read side should not change").
   */
  @Test
  void onlyTheWiringKnowsTheClusterModuleAndHazelcast() {
    noClasses()
        .that().resideOutsideOfPackages(
            "io.slipstream.server.bootstrap..", "io.slipstream.server.topic..",
            "io.slipstream.server.cluster..")
        .should().dependOnClassesThat().resideInAnyPackage("io.slipstream.cluster..", "com.hazelcast..")
        .because("the cluster is wired in behind core's SPI, not known by the read side")
        .check(SERVER);
  }

  /** Nothing outside protocol and config builds, reads or encodes JSON (no call, no field). */
  @Test
  void onlyTheProtocolBuildsOrReadsJson() {
    noClasses()
        .that().resideOutsideOfPackages(PROTOCOL, CONFIG)
        .should().accessClassesThat().resideInAPackage(VERTX_JSON)
        .because(JSON_STAYS_IN_PROTOCOL)
        .check(SERVER);
  }

  /**
   * Outside protocol and config, {@code JsonObject} is the one Vert.x JSON type that may appear,
   * as the declared type of an event-bus body passed along.
   */
  @Test
  void elsewhereJsonIsAtMostAnOpaqueEventBusBody() {
    noClasses()
        .that().resideOutsideOfPackages(PROTOCOL, CONFIG)
        .should().dependOnClassesThat(resideInAPackage(VERTX_JSON).and(not(type(JsonObject.class))))
        .because(JSON_STAYS_IN_PROTOCOL)
        .check(SERVER);
  }

  /** Hub and transports move encoded bytes: not even an opaque JsonObject passes through them. */
  @Test
  void theHubAndTransportsNeverSeeJson() {
    noClasses()
        .that().resideInAnyPackage("io.slipstream.server.hub..", "io.slipstream.server.transport..")
        .should().dependOnClassesThat().resideInAPackage(VERTX_JSON)
        .check(SERVER);
  }

  @Test
  void theCoreDomainNeverReachesBackIntoTheServer() {
    noClasses()
        .that().resideInAPackage("io.slipstream.core..")
        .should().dependOnClassesThat().resideInAPackage("io.slipstream.server..")
        .check(new ClassFileImporter().importPackages("io.slipstream.core"));
  }

  @Test
  void theWireFormatDependsOnNoOtherServerPackage() {
    noClasses()
        .that().resideInAPackage("io.slipstream.server.protocol..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.slipstream.server.connection..", "io.slipstream.server.hub..",
            "io.slipstream.server.http..", "io.slipstream.server.bootstrap..",
            "io.slipstream.server.transport..", "io.slipstream.server.topic..")
        .check(SERVER);
  }

  @Test
  void lowerLayersDoNotDependOnTheBootstrap() {
    noClasses()
        .that().resideOutsideOfPackage("io.slipstream.server.bootstrap..")
        .should().dependOnClassesThat().resideInAPackage("io.slipstream.server.bootstrap..")
        .check(SERVER);
  }

  @Test
  void packagesAreFreeOfCycles() {
    slices().matching("io.slipstream.server.(*)..").should().beFreeOfCycles().check(SERVER);
  }
}
