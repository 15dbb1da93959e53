package dev.day0.gates;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Regression tests of issue 12, findings 1 to 4: arithmetic on hostile numbers never ends in exit 70 and never in
 * a pass. Each runs the command line a user runs and checks what they see: the exit code and the document.
 */
public class HostileNumbersTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path file(String name, String text) throws Exception {
        Path path = temp.getRoot().toPath().resolve(name);
        Files.writeString(path, text);
        return path;
    }

    private static JsonNode document(CliRun run) {
        return Json.parse(run.out(), "stdout");
    }

    private CliRun compare(String baseline, String candidate, String... options) throws Exception {
        String[] args = new String[6 + options.length];
        args[0] = "gate";
        args[1] = "compare";
        args[2] = "--baseline";
        args[3] = file("baseline.json", baseline).toString();
        args[4] = "--candidate";
        args[5] = file("candidate.json", candidate).toString();
        System.arraycopy(options, 0, args, 6, options.length);
        return CliRun.run(args);
    }

    // Finding 1: exit 70 instead of a clear answer.

    @Test
    public void shouldAnswerARelativeDropOnASubnormalBaselineWithAUserConfigErrorNotExit70() throws Exception {
        CliRun run = compare("{\"t0\": 5e-324}", "{\"t0\": 50}", "--relative");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        JsonNode json = document(run);
        assertThat(json.path("pass").asBoolean()).isFalse();
        assertThat(json.path("decision").asText()).isEqualTo("ANOMALOUS");
        assertThat(json.path("failure_class").asText()).isEqualTo("USER_CONFIG_ERROR");
        assertThat(json.path("detail").asText()).contains("baseline.json: t0:").contains("--relative");
    }

    @Test
    public void shouldAnswerASubnormalScaleWithAUserConfigErrorNamingTheOptionNotExit70() throws Exception {
        CliRun run = compare("{\"t0\": 80}", "{\"t0\": 79}", "--scales", "{\"t0\": 1e-320}");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        JsonNode json = document(run);
        assertThat(json.path("failure_class").asText()).isEqualTo("USER_CONFIG_ERROR");
        assertThat(json.path("detail").asText()).contains("--scales: t0:");
    }

    @Test
    public void shouldAnswerAPtqSizeRatioThatOverflowsWithAUserConfigErrorNotExit70() throws Exception {
        Path summary = file("summary.json", "{\"recipe\": \"nvfp4\", \"source_bytes\": 5e-324, "
                + "\"output_bytes\": 1e308, \"layer_precision_counts\": {\"NVFP4\": 10}, \"metadata_diffs\": []}");

        CliRun run = CliRun.run("gate", "ptq", "--summary", summary.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        JsonNode json = document(run);
        assertThat(json.path("failure_class").asText()).isEqualTo("USER_CONFIG_ERROR");
        assertThat(json.path("detail").asText()).contains("summary.json: output_bytes / source_bytes");
        assertThat(json.at("/checks/size/ok").asBoolean()).isFalse();
    }

    @Test
    public void shouldEchoADeeplyNestedScoreAsABoundedDescriptionNotExit70() throws Exception {
        String nested = "[".repeat(998) + "1" + "]".repeat(998);

        CliRun run = compare("{\"t0\": " + nested + "}", "{\"t0\": 50}");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        JsonNode json = document(run);
        assertThat(json.path("decision").asText()).isEqualTo("ANOMALOUS");
        assertThat(json.at("/per_task/t0/baseline").asText()).isEqualTo("a list");
        assertThat(run.out().length()).isLessThan(2000);
    }

    // Finding 2: layer counts that overflow a long.

    @Test
    public void shouldFailThePtqGateWhenLookAlikeUnquantizedCountsOverflowALong() throws Exception {
        for (String key : new String[] {"unexpected_unquantized", "declaration_mismatch"}) {
            Path summary = file("summary.json", "{\"recipe\": \"nvfp4\", \"source_bytes\": 100, "
                    + "\"output_bytes\": 30, \"layer_precision_counts\": {\"NVFP4\": 10, \"" + key + "\": "
                    + Long.MAX_VALUE + ", \"" + key.toUpperCase().replace('_', '-') + "\": 1}, "
                    + "\"metadata_diffs\": []}");

            CliRun run = CliRun.run("gate", "ptq", "--summary", summary.toString());

            assertThat(run.exitCode()).as(key + "\n" + run).isEqualTo(1);
            JsonNode json = document(run);
            assertThat(json.path("pass").asBoolean()).isFalse();
            assertThat(json.path("failure_class").asText()).isEqualTo("USER_CONFIG_ERROR");
            assertThat(json.path("detail").asText()).contains("summary.json: layer_precision_counts.")
                    .contains(key);
            assertThat(json.at("/checks/coverage/ok").asBoolean()).isFalse();
        }
    }

    // Finding 3: healthy null and zero expected samples.

    @Test
    public void shouldRefuseServingEvidenceWhoseHealthyIsNullWithExitTwo() throws Exception {
        Path run = file("run.json", "{\"tasks\": {\"t0\": {\"status\": \"SUCCESS\", \"expected_samples\": 5, "
                + "\"scored_samples\": 5, \"score\": 70}}}");
        Path serving = file("serving.json", "{\"healthy\": null}");

        CliRun result = CliRun.run("gate", "run", "--run", run.toString(), "--serving", serving.toString());

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        JsonNode json = document(result);
        assertThat(json.path("pass").asBoolean()).isFalse();
        assertThat(json.path("detail").asText()).isEqualTo(serving + ": healthy: must be true or false, found null");
    }

    @Test
    public void shouldFailSampleAccountingForATaskThatExpectsZeroSamples() throws Exception {
        Path run = file("run.json", "{\"tasks\": {\"t0\": {\"status\": \"SUCCESS\", \"expected_samples\": 0, "
                + "\"scored_samples\": 0, \"score\": 70}}}");

        CliRun result = CliRun.run("gate", "run", "--run", run.toString());

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        JsonNode json = document(result);
        assertThat(json.path("failure_class").asText()).isEqualTo("SAMPLE_ACCOUNTING_FAILED");
        assertThat(json.at("/per_task/t0/reasons/0").asText()).contains("expected_samples is 0");
    }

    // Finding 4: a scale range whose width overflows, thresholds above the whole scale.

    @Test
    public void shouldRefuseAScaleRangeWhoseWidthOverflowsInsteadOfAcceptingEveryDrop() throws Exception {
        CliRun run = compare("{\"t0\": 100}", "{\"t0\": 0}", "--scales", "{\"t0\": {\"min\": -1e308, \"max\": 1e308}}");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        JsonNode json = document(run);
        assertThat(json.path("decision").asText()).isEqualTo("ANOMALOUS");
        assertThat(json.path("failure_class").asText()).isEqualTo("USER_CONFIG_ERROR");
        assertThat(json.path("detail").asText()).contains("invalid --scales: t0:").contains("finite width");
    }

    @Test
    public void shouldRefuseAThresholdLargerThanTheWholeScaleWithExitTwo() throws Exception {
        for (String threshold : new String[] {"1.5", "5", "1.0000001"}) {
            CliRun run = compare("{\"t0\": 100}", "{\"t0\": 0}", "--threshold", threshold);

            assertThat(run.exitCode()).as(threshold + "\n" + run).isEqualTo(2);
            assertThat(document(run).path("detail").asText()).startsWith("--threshold: must be at least 0 and at "
                    + "most 1");
        }
        assertThat(compare("{\"t0\": 100}", "{\"t0\": 0}", "--threshold", "1").exitCode()).isEqualTo(0);
    }
}
