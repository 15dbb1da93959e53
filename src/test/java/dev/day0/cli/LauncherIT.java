package dev.day0.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.testing.Day0Process;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * bin/day0, the launcher a shell user and other CIs run: it makes a class-data archive next to the jar on first
 * use, trained on the short commands, and runs every later call from it. What it must never do is change an
 * answer: a call through the launcher prints what the jar alone prints.
 */
public class LauncherIT {
    private static final Path LAUNCHER = Path.of("bin", "day0").toAbsolutePath();

    /** One jar copy and archive for the class: making the archive runs seven trained calls, seconds each. */
    @ClassRule
    public static TemporaryFolder engine = new TemporaryFolder();

    private static Path jar;
    private static Path archive;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path work;

    @BeforeClass
    public static void copyTheJarWhereTheLauncherMayWriteItsArchive() throws IOException {
        jar = engine.getRoot().toPath().resolve("day0.jar");
        Files.copy(Day0Process.jar(), jar);
        archive = engine.getRoot().toPath().resolve("day0.jsa");
    }

    @Before
    public void writeTheGateInputs() throws IOException {
        work = tmp.newFolder("work").toPath();
        Files.writeString(work.resolve("base.json"), "{\"mmlu\": 0.71, \"gsm8k\": 0.80}\n");
        Files.writeString(work.resolve("cand.json"), "{\"mmlu\": 0.705, \"gsm8k\": 0.795}\n");
    }

    @Test
    public void shouldGiveTheAnswerOfTheJarItselfAndLeaveAnArchiveBesideIt() throws IOException {
        String[] compare = {"gate", "compare", "--baseline", "base.json", "--candidate", "cand.json"};

        Day0Process launched = launch(Map.of(), compare);
        Day0Process direct = Day0Process.run(work, Map.of(), compare);

        assertThat(launched.exitCode()).isEqualTo(direct.exitCode()).isZero();
        assertThat(launched.out()).isEqualTo(direct.out()).contains("\"pass\" : true");
        assertThat(archive).as("the archive beside the jar").isRegularFile();
    }

    @Test
    public void shouldLoadTheShortCommandsClassesFromTheArchive() throws IOException {
        launch(Map.of(), "--version");
        Path classes = work.resolve("classes.log");
        Map<String, String> logged = Map.of("DAY0_JAVA_OPTS", "-Xlog:class+load:file=" + classes);

        launch(logged, "gate", "compare", "--baseline", "base.json", "--candidate", "cand.json");
        assertThat(Files.readString(classes))
                .containsPattern("dev\\.day0\\.gates\\.CompareGate source: shared objects file")
                .containsPattern("dev\\.day0\\.io\\.TreeWriter source: shared objects file");

        Path runs = work.resolve("runs");
        Files.createDirectories(runs.resolve("eval_a/artifacts"));
        Files.writeString(runs.resolve("eval_a/artifacts/eval_factory_metrics.json"),
                "{\"response_stats\": {\"avg_completion_tokens\": 400, \"successful_count\": 10}}\n");
        launch(logged, "gate", "verbosity", "--baseline", "runs", "--candidate", "runs");
        assertThat(Files.readString(classes))
                .containsPattern("dev\\.day0\\.gates\\.VerbosityGate source: shared objects file");
    }

    @Test
    public void shouldMakeTheArchiveAgainForANewerJar() throws IOException {
        launch(Map.of(), "--version");
        FileTime first = Files.getLastModifiedTime(archive);
        Files.setLastModifiedTime(archive, FileTime.fromMillis(first.toMillis() - 60_000));
        Files.setLastModifiedTime(jar, FileTime.fromMillis(first.toMillis()));

        Day0Process again = launch(Map.of(), "--version");

        assertThat(again.exitCode()).isZero();
        assertThat(Files.getLastModifiedTime(archive).toMillis()).isGreaterThanOrEqualTo(first.toMillis());
    }

    @Test
    public void shouldRefuseAMissingDay0JarWithExitTwoBeforeBuildingAnything() throws IOException {
        Path missing = tmp.newFolder("empty").toPath().resolve("day0.jar");

        Day0Process launched = launch(missing, Map.of(), "--version");

        assertThat(launched.exitCode()).isEqualTo(2);
        assertThat(launched.err()).contains("DAY0_JAR=" + missing).contains("does not exist");
        assertThat(missing.resolveSibling("day0.jsa")).doesNotExist();
    }

    private Day0Process launch(Map<String, String> env, String... args) {
        return launch(jar, env, args);
    }

    private Day0Process launch(Path engineJar, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        Map<String, String> launcherEnv = new HashMap<>(env);
        launcherEnv.put("DAY0_JAR", engineJar.toString());
        launcherEnv.put("JAVA_HOME", System.getProperty("java.home"));
        return Day0Process.exec(command, work, launcherEnv);
    }
}
