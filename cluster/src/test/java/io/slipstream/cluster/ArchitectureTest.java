package io.slipstream.cluster;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The shape of {@code cluster} (style.md, "Architecture you can see"): it builds on {@code core},
 * Vert.x and Hazelcast and never on {@code server}; its packages form no cycles; and what it
 * implements stays package-private behind its interfaces, records and factories.
 */
@AnalyzeClasses(
    packages = "io.slipstream.cluster",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule clusterNeverDependsOnServer =
      noClasses()
          .that()
          .resideInAPackage("io.slipstream.cluster..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.slipstream.server..");

  @ArchTest
  static final ArchRule clusterDependsOnCoreVertxHazelcastAndTheJdkOnly =
      classes()
          .that()
          .resideInAPackage("io.slipstream.cluster..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(
              "java..", "io.slipstream.core..", "io.slipstream.cluster..", "io.vertx..",
              "com.hazelcast..");

  @ArchTest
  static final ArchRule clusterPackagesAreFreeOfCycles =
      slices().matching("io.slipstream.cluster.(*)..").should().beFreeOfCycles();

  /** Entry processors and the Hazelcast-backed authority are implementations: package-private. */
  @ArchTest
  static final ArchRule entryProcessorsArePackagePrivate =
      classes()
          .that()
          .implement("com.hazelcast.map.EntryProcessor")
          .should()
          .notBePublic();
}
