package io.slipstream.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The server's package rules (style.md: architecture you can see). */
class ArchitectureTest {

  private static final JavaClasses SERVER =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.slipstream.server");

  @Test
  void onlyTheProtocolAndEdgePackagesKnowJson() {
    noClasses()
        .that().resideInAnyPackage("io.slipstream.server.hub..", "io.slipstream.server.transport..")
        .should().dependOnClassesThat().resideInAPackage("io.vertx.core.json..")
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
