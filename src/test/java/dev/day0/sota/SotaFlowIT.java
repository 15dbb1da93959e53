package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.Assume.assumeTrue;

import dev.day0.io.Json;
import dev.day0.testing.Day0Process;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The reproduce-then-extend flow through the packaged jar: classify, plan, run the generated job script (under
 * bash, with /workspace moved into a temporary folder, in place of a Rockie GPU job), assess, plan the delta, run
 * it, review. The Rockie quote, approval and submit between plan and assess are covered by the rockie tests.
 */
public class SotaFlowIT {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private static final String CLAIMS = """
            task: text classification
            dataset: {name: sst2, version: "1.0", split: validation}
            model: {name: tiny-model}
            seed: 1
            tolerance: {absolute: 0.5}
            metrics:
              - {name: accuracy, value: 90.0, direction: higher_is_better}
            """;

    private static String recipe(String accuracy) {
        return "name: run-" + accuracy.replace('.', '-') + "\nseed: 1\nrun:\n  - mkdir -p /workspace/out\n"
                + "  - 'printf ''{\"accuracy\": " + accuracy + "}'' > /workspace/out/eval.json'\n"
                + "metrics_file: /workspace/out/eval.json\n";
    }

    private int runScript(Path script, Path workspace) throws Exception {
        Path local = script.resolveSibling("local-job.sh");
        Files.writeString(local, Files.readString(script).replace("/workspace", workspace.toString()));
        File log = script.resolveSibling("job.log").toFile();
        Process process = new ProcessBuilder("bash", local.toString()).redirectErrorStream(true)
                .redirectOutput(log).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(log.toPath())).contains("JOB_DONE");
        return process.exitValue();
    }

    @Test
    public void shouldReproduceABaselineThenReviewADeltaWithTheJar() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")) || Files.isExecutable(Path.of("/usr/bin/bash")));
        Path dir = temp.getRoot().toPath();
        Path claims = SotaFiles.write(dir, "claims.yaml", CLAIMS);
        Path baselineRecipe = SotaFiles.write(dir, "recipe.yaml", recipe("90.2"));
        Path deltaRecipe = SotaFiles.write(dir, "recipe-delta.yaml", recipe("91.5"));
        String ref = "https://alice:s3cret-pass-77@github.com/owner/repo";

        Day0Process classify = Day0Process.run(dir, Map.of(), "sota", "classify", "--source-ref", ref);
        assertThat(classify.exitCode()).as(classify.toString()).isZero();
        assertThat(classify.out()).contains("\"repository\" : \"owner/repo\"").doesNotContain("s3cret-pass-77");

        Day0Process plan = Day0Process.run(dir, Map.of(), "sota", "plan", "--source-ref", ref, "--claims",
                claims.toString(), "--recipe", baselineRecipe.toString(), "--out-dir", "baseline-plan");
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        Path baselineWorkspace = Files.createDirectories(dir.resolve("baseline-run"));
        assertThat(runScript(dir.resolve("baseline-plan/job.sh"), baselineWorkspace)).isZero();
        Path baselineMetrics = baselineWorkspace.resolve("results/metrics.json");
        Path state = SotaFiles.write(dir, "baseline-state.json", SotaFiles.state("DONE", true, "DONE"));

        Day0Process assess = Day0Process.run(dir, Map.of(), "sota", "assess", "--claims", claims.toString(),
                "--metrics", baselineMetrics.toString(), "--job-state", state.toString());
        assertThat(assess.exitCode()).as(assess.toString()).isZero();
        assertThat(Json.parse(assess.out(), "stdout").path("verdict").asText()).isEqualTo("reproduced");

        Day0Process deltaPlan = Day0Process.run(dir, Map.of(), "sota", "plan", "--source-ref", ref, "--claims",
                claims.toString(), "--recipe", deltaRecipe.toString(), "--out-dir", "delta-plan");
        assertThat(deltaPlan.exitCode()).as(deltaPlan.toString()).isZero();
        Path deltaWorkspace = Files.createDirectories(dir.resolve("delta-run"));
        assertThat(runScript(dir.resolve("delta-plan/job.sh"), deltaWorkspace)).isZero();
        String baselineBefore = Files.readString(baselineMetrics, StandardCharsets.UTF_8);

        Day0Process review = Day0Process.run(dir, Map.of(), "sota", "review", "--baseline",
                baselineMetrics.toString(), "--delta", deltaWorkspace.resolve("results/metrics.json").toString(),
                "--delta-description", "longer training", "--claims", claims.toString(), "--out", "review.json");
        assertThat(review.exitCode()).as(review.toString()).isZero();
        assertThat(Json.read(dir.resolve("review.json")).path("outcome").asText()).isEqualTo("improved");
        assertThat(Files.readString(baselineMetrics, StandardCharsets.UTF_8)).isEqualTo(baselineBefore);

        Day0Process refused = Day0Process.run(dir, Map.of(), "sota", "review", "--baseline",
                baselineMetrics.toString(), "--delta", deltaWorkspace.resolve("results/metrics.json").toString(),
                "--delta-description", "x", "--claims", claims.toString(), "--out",
                baselineWorkspace.resolve("results/review.json").toString());
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err().lines()).hasSize(1);
        assertThat(baselineWorkspace.resolve("results/review.json")).doesNotExist();
    }
}
