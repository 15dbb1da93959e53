package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.Assume.assumeTrue;

import dev.day0.redact.Redactor;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class JobScriptTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path dir;
    private Path workspace;

    @Before
    public void setUp() throws IOException {
        dir = temp.getRoot().toPath();
        workspace = temp.newFolder("workspace").toPath();
    }

    private SourceRef source(String ref) {
        return new SourceRefClassifier(Redactor.patternsOnly(), Map.of(), dir).classify(ref);
    }

    private Claims claims() {
        return Claims.read(SotaFiles.write(dir, "claims.yaml", SotaFiles.CLAIMS));
    }

    private Recipe recipe(String yaml) {
        return Recipe.read(SotaFiles.write(dir, "recipe.yaml", yaml), Redactor.patternsOnly(), Map.of());
    }

    private String render(String ref, String recipeYaml) {
        return JobScript.render(source(ref), claims(), recipe(recipeYaml), "test", Redactor.patternsOnly());
    }

    /** What ran: exit code and the combined output. */
    private record Run(int exitCode, String output) {
    }

    /** Runs a rendered script with /workspace moved into the temporary folder. */
    private Run run(String script, Map<String, String> env) throws Exception {
        Path file = dir.resolve("job.sh");
        Files.writeString(file, script.replace("/workspace", workspace.toString()), StandardCharsets.UTF_8);
        ProcessBuilder builder = new ProcessBuilder("bash", file.toString()).redirectErrorStream(true);
        builder.environment().remove("HF_TOKEN");
        builder.environment().putAll(env);
        File output = dir.resolve("output.txt").toFile();
        builder.redirectOutput(output);
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the script finishes").isTrue();
        return new Run(process.exitValue(), Files.readString(output.toPath(), StandardCharsets.UTF_8));
    }

    private static String recipeRunning(String... commands) {
        StringBuilder yaml = new StringBuilder("name: test-job\nseed: 7\nrun:\n");
        for (String command : commands) {
            yaml.append("  - '").append(command.replace("'", "''")).append("'\n");
        }
        return yaml.toString();
    }

    private static final String WRITE_METRICS = "printf '{\"metrics\": {\"accuracy\": 93.4, \"loss\": 0.26}}'"
            + " > \"$DAY0_RESULTS_DIR/metrics.json\"";

    private static boolean bashAvailable() {
        return Files.isExecutable(Path.of("/bin/bash")) || Files.isExecutable(Path.of("/usr/bin/bash"));
    }

    private static boolean python3Available() {
        try {
            return new ProcessBuilder("python3", "-c", "pass").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    public void shouldStartStrictRecordTheSanitizedRefAndEndWithJobDone() {
        String script = render("https://alice:hunter22@github.com/o/r", recipeRunning(WRITE_METRICS));
        List<String> lines = script.lines().toList();

        assertThat(lines.get(0)).isEqualTo("#!/usr/bin/env bash");
        assertThat(lines).contains("set -euo pipefail", "readonly RESULTS_DIR=/workspace/results",
                "readonly SOURCE_REF='https://github.com/o/r'", "export DAY0_SEED=7");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("echo JOB_DONE");
        assertThat(script).doesNotContain("hunter22").doesNotContain("alice");
    }

    @Test
    public void shouldBeTheSameBytesForTheSameInputs() {
        assertThat(render("2401.01234v2", recipeRunning(WRITE_METRICS)))
                .isEqualTo(render("2401.01234v2", recipeRunning(WRITE_METRICS)));
    }

    @Test
    public void shouldQuoteValuesSoNothingInThemIsExpanded() {
        assertThat(JobScript.quote("it's $HOME")).isEqualTo("'it'\"'\"'s $HOME'");
    }

    @Test
    public void shouldPickAHereDocumentDelimiterNoCommandLineEquals() {
        String body = "echo x";
        String first = JobScript.delimiter("run", body);

        assertThat(JobScript.delimiter("run", body + "\n" + first)).isNotEqualTo(first);
    }

    @Test
    public void shouldPrintJobDoneAfterWritingResultsLogsAndConfig() throws Exception {
        assumeTrue(bashAvailable());

        Run run = run(render("2401.01234v2", recipeRunning("echo training", WRITE_METRICS)), Map.of());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output().strip()).endsWith("JOB_DONE");
        Path results = workspace.resolve("results");
        assertThat(results.resolve("metrics.json")).isNotEmptyFile();
        assertThat(Files.readString(results.resolve("logs/run.log"))).contains("training");
        assertThat(Files.readString(results.resolve("config/source_ref.txt"))).isEqualTo("2401.01234v2\n");
        assertThat(results.resolve("config/recipe.json")).isNotEmptyFile();
        assertThat(results.resolve("config/claims.json")).isNotEmptyFile();
        assertThat(results.resolve("config/run.sh")).isNotEmptyFile();
    }

    @Test
    public void shouldNotPrintJobDoneWhenACommandFails() throws Exception {
        assumeTrue(bashAvailable());

        Run run = run(render("2401.01234v2", recipeRunning("false", WRITE_METRICS)), Map.of());

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output()).doesNotContain("\nJOB_DONE").contains("JOB_DONE not printed");
        assertThat(workspace.resolve("results/metrics.json")).doesNotExist();
    }

    @Test
    public void shouldNotPrintJobDoneWhenTheRunWritesNoMetrics() throws Exception {
        assumeTrue(bashAvailable());

        Run run = run(render("2401.01234v2", recipeRunning("echo no metrics today")), Map.of());

        assertThat(run.exitCode()).isEqualTo(4);
        assertThat(run.output()).contains("metrics.json is missing or empty").doesNotContain("\nJOB_DONE");
    }

    @Test
    public void shouldNotPrintJobDoneWhenAnEarlyExitSkipsTheRestOfThePhase() throws Exception {
        assumeTrue(bashAvailable());

        Run run = run(render("2401.01234v2", recipeRunning("exit 0", WRITE_METRICS)), Map.of());

        assertThat(run.exitCode()).isEqualTo(4);
        assertThat(run.output()).doesNotContain("\nJOB_DONE");
    }

    @Test
    public void shouldKeepABrokenCommandFromSwallowingTheChecks() throws Exception {
        assumeTrue(bashAvailable());

        Run run = run(render("2401.01234v2", recipeRunning("cat <<NEVER_CLOSED", "echo JOB_DONE")), Map.of());

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output().lines()).doesNotContain("JOB_DONE");
    }

    @Test
    public void shouldNotPrintJobDoneWhenAClaimedMetricIsMissingOrNotFinite() throws Exception {
        assumeTrue(bashAvailable() && python3Available());

        Run missing = run(render("2401.01234v2", recipeRunning(
                "printf '{\"accuracy\": 93.4}' > \"$DAY0_RESULTS_DIR/metrics.json\"")), Map.of());
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.output()).contains("no finite number for: loss").doesNotContain("\nJOB_DONE");

        Files.delete(workspace.resolve("results/metrics.json"));
        Run nan = run(render("2401.01234v2", recipeRunning(
                "printf '{\"accuracy\": NaN, \"loss\": 0.2}' > \"$DAY0_RESULTS_DIR/metrics.json\"")), Map.of());
        assertThat(nan.output()).contains("no finite number for: accuracy").doesNotContain("\nJOB_DONE");
    }

    @Test
    public void shouldCopyMetricsWrittenElsewhereIntoTheResults() throws Exception {
        assumeTrue(bashAvailable());
        String recipe = recipeRunning("mkdir -p /workspace/out",
                "printf '{\"accuracy\": 93.4, \"loss\": 0.2}' > /workspace/out/eval.json")
                + "metrics_file: /workspace/out/eval.json\n";

        Run run = run(render("2401.01234v2", recipe), Map.of());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(Files.readString(workspace.resolve("results/metrics.json"))).contains("93.4");
    }

    @Test
    public void shouldRefuseToStartWithoutADeclaredSecretAndUseItOnlyFromTheEnvironment() throws Exception {
        assumeTrue(bashAvailable());
        String recipe = recipeRunning("test -n \"$HF_TOKEN\"", WRITE_METRICS) + "secrets: [HF_TOKEN]\n";
        String script = render("2401.01234v2", recipe);

        Run without = run(script, Map.of());
        assertThat(without.exitCode()).isEqualTo(3);
        assertThat(without.output()).contains("the secret HF_TOKEN is not set").doesNotContain("\nJOB_DONE");

        String value = "hf_abcdefghijklmnopqrstuvwxyz012345";
        Run with = run(script, Map.of("HF_TOKEN", value));
        assertThat(with.exitCode()).as(with.output()).isZero();
        assertThat(script).doesNotContain(value);
        try (var files = Files.walk(workspace.resolve("results"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(file)).as(file.toString()).doesNotContain(value);
            }
        }
    }

    @Test
    public void shouldRefuseToMixWithResultsOfAnEarlierRun() throws Exception {
        assumeTrue(bashAvailable());
        Files.createDirectories(workspace.resolve("results"));
        Files.writeString(workspace.resolve("results/metrics.json"), "{\"accuracy\": 99}");

        Run run = run(render("2401.01234v2", recipeRunning(WRITE_METRICS)), Map.of());

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.output()).contains("refusing to mix the results of two runs");
    }
}
