package io.slipstream.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The shape of {@code core} (style.md, "Architecture you can see"): it depends on the JDK only, its
 * packages form no cycles, and the SPI that clustering implements is plain Java.
 */
@AnalyzeClasses(
    packages = "io.slipstream.core",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule coreDependsOnTheJdkOnly =
      classes()
          .that()
          .resideInAPackage("io.slipstream.core..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage("java..", "io.slipstream.core..");

  /** No cycles between core's packages: the replay log knows only {@code replay.Sequenced}. */
  @ArchTest
  static final ArchRule corePackagesAreFreeOfCycles =
      slices().matching("io.slipstream.core.(*)..").should().beFreeOfCycles();

  /**
   * The SPI is plain Java: JDK types (stages, not a framework's futures) and core's own domain, so
   * a clustered implementation depends on core and nothing it would have to drag along.
   */
  @ArchTest
  static final ArchRule theSpiIsPlainJava =
      classes()
          .that()
          .resideInAPackage("io.slipstream.core.spi..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(
              "java.lang..",
              "java.util..",
              "java.security..",
              "java.nio.charset..",
              "io.slipstream.core.spi..",
              "io.slipstream.core.topic..",
              "io.slipstream.core.replay..",
              "io.slipstream.core.message..",
              "io.slipstream.core.time..",
              // The single-node session store wraps the node's session registry.
              "io.slipstream.core.session..");

  /** The SPI names no implementation: the local one sits beside it, never under it. */
  @ArchTest
  static final ArchRule theSpiKnowsNoImplementation =
      noClasses()
          .that()
          .resideInAPackage("io.slipstream.core.spi")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.slipstream.core.spi.local..");

  /** The domain does not know who sequences it: only the SPI and its implementations do. */
  @ArchTest
  static final ArchRule theDomainDoesNotDependOnTheSpi =
      noClasses()
          .that()
          .resideOutsideOfPackage("io.slipstream.core.spi..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.slipstream.core.spi..");
}
