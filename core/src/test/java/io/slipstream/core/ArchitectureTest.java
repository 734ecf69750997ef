package io.slipstream.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The shape of {@code core} (style.md, "Architecture you can see"): it depends on the JDK only, and
 * its packages form no cycles.
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
}
