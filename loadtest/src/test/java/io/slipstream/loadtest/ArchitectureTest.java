package io.slipstream.loadtest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The load tool depends on nothing of ours: it speaks the wire protocol like any client, so it
 * checks the server independently (style.md, "Architecture you can see").
 */
class ArchitectureTest {

  private final JavaClasses classes =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.slipstream.loadtest");

  @Test
  void usesNoServerOrCoreClass() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.slipstream.server..", "io.slipstream.core..", "io.slipstream.cluster..")
        .check(classes);
  }

  @Test
  void wireAccountingAndReportsDoNotReachIntoScenarios() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.slipstream.loadtest.wire..", "io.slipstream.loadtest.accounting..",
            "io.slipstream.loadtest.report..", "io.slipstream.loadtest.proc..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.slipstream.loadtest.scenario..", "io.slipstream.loadtest.client..")
        .check(classes);
  }
}
