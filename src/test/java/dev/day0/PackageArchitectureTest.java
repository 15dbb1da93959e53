package dev.day0;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.day0.cli.Day0;
import dev.day0.io.Output;
import dev.day0.io.StandardStreams;
import dev.day0.rockie.Events;
import java.io.FileOutputStream;
import java.io.FileWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
                .and().doNotHaveFullyQualifiedName(StandardStreams.class.getName())
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

    @Test
    public void shouldWriteFilesAndStreamsOnlyThroughTheIoPackage() {
        writesOnlyThroughIo().check(engine);
    }

    @Test
    public void shouldCatchAClassThatWritesAFileOnItsOwn() {
        JavaClasses offender = new ClassFileImporter().importClasses(WritesOnItsOwn.class);

        assertThatThrownBy(() -> writesOnlyThroughIo().check(offender))
                .hasMessageContaining("Files.writeString")
                .hasMessageContaining("System.out")
                .hasMessageContaining("FileWriter");
    }

    /**
     * docs/architecture.md "Writing": a file or a line of output leaves the engine through {@code dev.day0.io}
     * (RedactingWriter, LineLog, and the named unredacted writers VerbatimFiles and SecretFiles), never on its own.
     */
    private static ArchRule writesOnlyThroughIo() {
        Set<String> fileWrites = Set.of("write", "writeString", "newOutputStream", "newBufferedWriter",
                "newByteChannel", "copy", "move");
        // RandomAccessFile is left out: the engine opens it to read a log's tail, and its mode is a run-time value.
        List<Class<?>> writerTypes = List.of(FileOutputStream.class, FileWriter.class, PrintStream.class);
        DescribedPredicate<JavaMethodCall> writesAFile = DescribedPredicate.describe(
                "Files." + String.join("/", fileWrites.stream().sorted().toList()),
                call -> call.getTargetOwner().isEquivalentTo(Files.class) && fileWrites.contains(call.getName()));
        DescribedPredicate<JavaConstructorCall> opensAWriter = DescribedPredicate.describe(
                "a FileOutputStream, FileWriter or PrintStream",
                call -> writerTypes.stream().anyMatch(type -> call.getTargetOwner().isEquivalentTo(type)));
        return noClasses().that().resideOutsideOfPackage("dev.day0.io..")
                .should().callMethodWhere(writesAFile)
                .orShould().callConstructorWhere(opensAWriter)
                .orShould().accessField(System.class, "out")
                .orShould().accessField(System.class, "err")
                .because("every file and every line day0 writes goes through the redacting writers of dev.day0.io "
                        + "(docs/architecture.md), so no write can forget the redaction");
    }

    /** What the rule exists to stop: a class writing a file and stdout with no redactor in between. */
    static final class WritesOnItsOwn {
        void leak(Path file, String text) throws IOException {
            Files.writeString(file, text, StandardCharsets.UTF_8);
            System.out.println(text);
            try (FileWriter writer = new FileWriter(file.toFile(), StandardCharsets.UTF_8)) {
                writer.write(text);
            }
        }
    }
}
