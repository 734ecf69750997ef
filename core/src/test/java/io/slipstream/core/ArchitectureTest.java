package io.slipstream.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.slipstream.core.replay.ReplayLog;
import io.slipstream.core.topic.ChangeEvent;

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

  /**
   * No cycles between core's packages, with one known exception, named so that nothing else can
   * hide behind it: {@code topic.Topic} owns a {@code replay.ReplayLog}, and the log stores and
   * returns {@code topic.ChangeEvent}s, so {@code topic <-> replay} is a cycle today. The edge to
   * cut is {@code ReplayLog -> ChangeEvent}: the log needs nothing of an event but its seq (for
   * example {@code ReplayLog<E extends Sequenced>} with {@code Sequenced} in {@code replay}, which
   * {@code ChangeEvent} implements; {@code Topic.log()} then returns {@code ReplayLog<ChangeEvent>}
   * and no caller changes). Remove the exception with that change.
   */
  @ArchTest
  static final ArchRule corePackagesAreFreeOfCycles =
      slices()
          .matching("io.slipstream.core.(*)..")
          .should()
          .beFreeOfCycles()
          .ignoreDependency(ReplayLog.class, ChangeEvent.class);
}
