package dev.day0;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.day0.cli.Day0;
import dev.day0.io.Output;
import dev.day0.rockie.Events;
import java.io.PrintWriter;
import java.util.Map;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The package rules of docs/architecture.md, checked against the engine's main classes (tests may do what they
 * like): the command layer is on top, the vocabulary in {@code core} at the bottom, and nothing below the command
 * layer reaches up into it.
 */
public class PackageArchitectureTest {
    private static JavaClasses engine;

    @BeforeClass
    public static void importEngine() {
        engine = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.day0");
    }

    @Test
    public void shouldHaveNoCyclesBetweenPackages() {
        ArchRule rule = slices().matching("dev.day0.(*)..").should().beFreeOfCycles();

        rule.check(engine);
    }

    @Test
    public void shouldKeepTheEngineFreeOfTheCommandLine() {
        ArchRule rule = noClasses().that().resideOutsideOfPackage("dev.day0.cli..")
                .should().dependOnClassesThat().resideInAPackage("dev.day0.cli..")
                .because("the command line is a thin layer over the engine, never the other way round");

        rule.check(engine);
    }

    @Test
    public void shouldKeepTheVocabularyAtTheBottom() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.day0.core..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.day0.cli..", "dev.day0.release..",
                        "dev.day0.gates..", "dev.day0.noise..", "dev.day0.sota..", "dev.day0.rockie..",
                        "dev.day0.mlflow..", "dev.day0.evidence..", "dev.day0.triage..", "dev.day0.report..",
                        "dev.day0.slurm..", "dev.day0.publish..")
                .because("Decision, FailureClass, Direction, Precision, Stage, the threshold and the rounding are "
                        + "shared by every stage and so depend on none");

        rule.check(engine);
    }

    @Test
    public void shouldInspectCheckpointsWithoutTheGates() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.day0.evidence..")
                .should().dependOnClassesThat().resideInAPackage("dev.day0.gates..")
                .because("evidence is collected before any gate judges it");

        rule.check(engine);
    }

    @Test
    public void shouldPrintOnlyFromTheCommandLine() {
        ArchRule rule = noClasses().that().resideOutsideOfPackage("dev.day0.cli..")
                .should().accessField(System.class, "out")
                .orShould().implement(Output.class)
                .because("what a Jenkins step reads on stdout is printed by the command layer alone: the engine "
                        + "returns typed results and the command prints them");

        rule.check(engine);
    }

    @Test
    public void shouldStreamEngineLinesOnlyAsRockieEvents() {
        ArchRule rule = noClasses().that().resideOutsideOfPackage("dev.day0.cli..")
                .and().doNotHaveFullyQualifiedName(Events.class.getName())
                .should().dependOnClassesThat().belongToAnyOf(Output.class)
                .because("the rockie event lines are the one machine output the engine streams while it works "
                        + "(a GPU job runs for hours); every other answer is returned to the command layer");

        rule.check(engine);
    }

    @Test
    public void shouldRunTheCommandLineOnlyFromMain() {
        ArchRule rule = noClasses().that().doNotHaveFullyQualifiedName(Day0.class.getName())
                .should().callMethod(Day0.class, "execute", String[].class, PrintWriter.class, PrintWriter.class,
                        Map.class)
                .because("the engine calls engine code; only a process (or a test) runs a command line");

        rule.check(engine);
    }
}
