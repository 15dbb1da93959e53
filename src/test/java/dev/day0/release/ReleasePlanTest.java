package dev.day0.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.io.InputException;
import java.nio.file.Path;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Every plan field is read strictly; each problem names the plan file and the field. */
public class ReleasePlanTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private ReleaseFixture fixture;

    @Before
    public void setUp() throws Exception {
        fixture = new ReleaseFixture(temp.newFolder("plan").toPath());
    }

    private ReleasePlan load() {
        return ReleasePlan.load(fixture.plan());
    }

    private void assertRefused(String field, String problem) {
        Path plan = fixture.plan();
        assertThatThrownBy(() -> ReleasePlan.load(plan))
                .isInstanceOf(InputException.class)
                .hasMessageStartingWith(plan + ": " + field)
                .hasMessageContaining(problem);
    }

    @Test
    public void shouldReadAPlanWithDefaults() {
        ReleasePlan plan = load();

        assertThat(plan.name()).isEqualTo("fixture");
        assertThat(plan.model()).isEqualTo("test-org/tiny-model");
        assertThat(plan.recipe()).isEqualTo("nvfp4");
        assertThat(plan.tasks()).containsExactly("gsm8k", "mmlu");
        assertThat(plan.threshold()).isEqualTo(0.01);
        assertThat(plan.relative()).isFalse();
        assertThat(plan.scales()).isNull();
        assertThat(plan.retry().judgeAttempts()).isEqualTo(3);
        assertThat(plan.ptq().runner()).isEqualTo(ReleasePlan.Runner.LOCAL);
        assertThat(plan.ptq().local().command()).containsExactly("sh", "stage.sh", "summary.json");
        assertThat(plan.ptq().local().transientExitCodes()).containsExactly(75);
        assertThat(plan.baselineEval().evidence().runSummary().text()).isEqualTo("{stage_dir}/run-summary.json");
        assertThat(plan.dir()).isEqualTo(fixture.dir.toAbsolutePath().normalize());
    }

    @Test
    public void shouldReadTheOptionalFields() {
        fixture.extra = """
                threshold: 0.02
                relative: true
                scales: {mmlu: 1, gsm8k: {min: -100, max: 100}}
                published: published.json
                setup:
                  env: [HF_TOKEN]
                  endpoints: [{name: judge, url: "http://127.0.0.1:9/health", timeout_seconds: 3}]
                """;
        fixture.header = fixture.header.replace("retry: {transient_wait_seconds: 0, judge_wait_seconds: 0}",
                "retry: {transient_wait_seconds: 5, judge_attempts: 4, judge_wait_seconds: 60}");

        ReleasePlan plan = load();

        assertThat(plan.threshold()).isEqualTo(0.02);
        assertThat(plan.relative()).isTrue();
        assertThat(plan.scales().path("gsm8k").path("min").asInt()).isEqualTo(-100);
        assertThat(plan.published().text()).isEqualTo("published.json");
        assertThat(plan.setup().env()).containsExactly("HF_TOKEN");
        assertThat(plan.setup().endpoints().get(0).timeoutSeconds()).isEqualTo(3);
        assertThat(plan.retry()).isEqualTo(new ReleasePlan.Retry(5, 4, 60));
    }

    @Test
    public void shouldRefuseAnUnknownFieldSoATypoCannotChangeADecision() {
        fixture.extra = "treshold: 0.05\n";

        assertRefused("treshold", "unknown field");
    }

    @Test
    public void shouldRefuseAnUnknownStageField() {
        fixture.ptq = fixture.ptq.replace("timeout_seconds: 60", "timeout_seconds: 60\n    gpu_type: H100_SXM");

        assertRefused("stages.ptq.gpu_type", "unknown field");
    }

    @Test
    public void shouldRequireTheFormatVersion() {
        fixture.header = fixture.header.replace("version: 1", "version: 2");

        assertRefused("version", "plan format 1");
    }

    @Test
    public void shouldRequireTheModelRecipeTasksAndSampling() {
        String header = fixture.header;
        fixture.header = header.replace("model: test-org/tiny-model\n", "");
        assertRefused("model", "is missing");
        fixture.header = header.replace("recipe: nvfp4", "recipe: nvfp8");
        assertRefused("recipe", "unknown recipe \"nvfp8\"");
        fixture.header = header.replace("tasks: [gsm8k, mmlu]", "tasks: []");
        assertRefused("tasks", "must not be empty");
        fixture.header = header.replace("tasks: [gsm8k, mmlu]", "tasks: [mmlu, mmlu]");
        assertRefused("tasks[1]", "listed twice");
        fixture.header = header.replace("sampling: {temperature: 0.0, max_tokens: 256}\n", "");
        assertRefused("sampling", "is missing");
        fixture.header = header.replace("max_tokens: 256", "max_tokens: [256]");
        assertRefused("sampling.max_tokens", "must be a number");
    }

    @Test
    public void shouldRefuseANameThatCannotNameADirectory() {
        fixture.header = fixture.header.replace("name: fixture", "name: ../escape");

        assertRefused("name", "letters, digits");
    }

    @Test
    public void shouldRefuseAPlanThresholdLargerThanTheWholeScale() {
        fixture.extra = "threshold: 1.5\n";
        assertRefused("threshold", "at least 0 and at most 1");
    }

    @Test
    public void shouldRefuseABadThresholdOrScale() {
        fixture.extra = "threshold: -0.01\n";
        assertRefused("threshold", "at least 0");
        fixture.extra = "threshold: \"0.01\"\n";
        assertRefused("threshold", "must be a finite number");
        fixture.extra = "scales: {hellaswag: 100}\n";
        assertRefused("scales.hellaswag", "not a task of this plan");
        fixture.extra = "scales: {mmlu: 0}\n";
        assertRefused("scales.mmlu", "positive number");
        fixture.extra = "scales: {mmlu: {min: 5, max: 1}}\n";
        assertRefused("scales.mmlu", "a < b");
    }

    @Test
    public void shouldRefuseAStageWithoutItsRunnerCommandOrTimeout() {
        String ptq = fixture.ptq;
        fixture.ptq = ptq.replace("    runner: local\n", "");
        assertRefused("stages.ptq.runner", "is missing");
        fixture.ptq = ptq.replace("runner: local", "runner: slurrm");
        assertRefused("stages.ptq.runner", "must be one of local, rockie, slurm, reuse");
        fixture.ptq = ptq.replace("    command: [sh, stage.sh, summary.json]\n", "");
        assertRefused("stages.ptq.command", "is missing");
        fixture.ptq = ptq.replace("    timeout_seconds: 60\n", "");
        assertRefused("stages.ptq.timeout_seconds", "is missing");
        fixture.ptq = ptq.replace("timeout_seconds: 60", "timeout_seconds: 0");
        assertRefused("stages.ptq.timeout_seconds", "between 1 and");
    }

    @Test
    public void shouldRefuseAStageEnvironmentThatOverridesDay0sOwn() {
        fixture.ptq = fixture.ptq.replace("timeout_seconds: 60", "timeout_seconds: 60\n    env: {DAY0_STAGE_DIR: /}");

        assertRefused("stages.ptq.env.DAY0_STAGE_DIR", "set by day0");
    }

    @Test
    public void shouldRequireEvidenceOfOneKind() {
        fixture.ptq = fixture.ptq.replace("evidence: {summary: \"{stage_dir}/summary.json\"}",
                "evidence: {summary: a.json, output: out/}");
        assertRefused("stages.ptq.evidence", "not both");
        fixture.ptq = fixture.ptq.replace("evidence: {summary: a.json, output: out/}", "evidence: {output: out/}");
        assertRefused("stages.ptq.evidence.source", "is missing");
        fixture.baseline = fixture.baseline.replace("scores: \"{stage_dir}/scores.json\"", "format: nel");
        fixture.ptq = new ReleaseFixture(fixture.dir).ptq;
        assertRefused("stages.baseline_eval.evidence", "either results");
    }

    @Test
    public void shouldRefuseAnUnknownPlaceholder() {
        fixture.ptq = fixture.ptq.replace("{stage_dir}/summary.json", "{stagedir}/summary.json");

        assertRefused("stages.ptq.evidence.summary", "unknown placeholder {stagedir}");
    }

    @Test
    public void shouldReuseOnlyTheBaselineFromMlflow() {
        fixture.quantized = fixture.quantized.replace("    runner: local\n", "    runner: local\n    reuse: mlflow\n");

        assertRefused("stages.quantized_eval.reuse", "only the baseline");
    }

    @Test
    public void shouldRefuseAnUnknownGpuType() {
        fixture.quantized = """
                  quantized_eval:
                    runner: rockie
                    script: job.sh
                    gpu_type: RTX_4090
                    gpu_count: 1
                    region: us-east
                    tier: standard
                    timeout_seconds: 3600
                    term_sheet: sheet.json
                    evidence: {run_summary: a.json, scores: b.json}
                """;

        assertRefused("stages.quantized_eval.gpu_type", "must be one of A40_48GB");
    }

    @Test
    public void shouldHashTheMeaningNotTheLayout() {
        String before = load().sha256();
        fixture.header = "# comment\n" + fixture.header.replace("sampling: {temperature: 0.0, max_tokens: 256}",
                "sampling:\n  max_tokens: 256\n  temperature: 0.0");
        String reordered = load().sha256();
        fixture.header = fixture.header.replace("max_tokens: 256", "max_tokens: 512");
        String changed = load().sha256();

        assertThat(reordered).isEqualTo(before);
        assertThat(changed).isNotEqualTo(before);
    }

    @Test
    public void shouldNameTheFileWhenThePlanIsNotYaml() {
        fixture.file("release.yaml", "stages: [\n");
        Path plan = fixture.dir.resolve("release.yaml");

        assertThatThrownBy(() -> ReleasePlan.load(plan)).isInstanceOf(InputException.class)
                .hasMessageStartingWith(plan + ": invalid YAML");
    }

    @Test
    public void shouldReadTheSlurmExamplesStagesAsSlurmJobsOnThisMachine() {
        ReleasePlan plan = ReleasePlan.load(Path.of("examples/slurm/release.yaml"));

        assertThat(plan.workingStages()).extracting(ReleasePlan.StageSpec::runner)
                .containsOnly(ReleasePlan.Runner.SLURM);
        assertThat(plan.ptq().slurm().options().partition()).isEqualTo("debug");
        assertThat(plan.ptq().slurm().prefix()).isEmpty();
        assertThat(plan.ptq().slurm().transientExitCodes()).containsExactly(75);
    }

    @Test
    public void shouldTakeAccountAndTheSshPrefixFromTheNamedClusterOfTheClustersFile() throws Exception {
        Path dir = temp.newFolder("slurm").toPath();
        java.nio.file.Files.writeString(dir.resolve("clusters.yaml"), "clusters:\n  eos:\n"
                + "    login_node: eos-login.example.com\n    user: alice\n    workspace: /lustre/alice\n"
                + "    slurm: {default_account: acct, default_partition: batch}\n");
        String text = java.nio.file.Files.readString(Path.of("examples/slurm/release.yaml"))
                .replaceFirst("partition: debug[^\n]*", "cluster: eos")
                .replaceFirst("runner: slurm\n", "runner: slurm\n    clusters_file: clusters.yaml\n");
        Path plan = dir.resolve("release.yaml");
        java.nio.file.Files.writeString(plan, text);

        ReleasePlan.SlurmSpec slurm = ReleasePlan.load(plan).ptq().slurm();

        assertThat(slurm.options().account()).isEqualTo("acct");
        assertThat(slurm.options().partition()).isEqualTo("batch");
        assertThat(slurm.options().workdir()).isEqualTo("/lustre/alice");
        assertThat(slurm.prefix()).containsExactly("ssh", "-o", "BatchMode=yes", "alice@eos-login.example.com");
    }

    // ---------------------------------------------------------------------------------- canary and verbosity

    private static final String CANARY = """
              canary:
                runner: local
                command: [sh, serve.sh]
                timeout_seconds: 7200
                probe: {checkpoint: ckpt}
            """;

    @Test
    public void shouldReadACanaryWithTheDefaultCeilingAboveRealisticLoadTimes() {
        fixture.canary = CANARY;

        ReleasePlan plan = load();

        assertThat(plan.canary().ceiling()).isEqualTo(java.time.Duration.ofMinutes(90));
        assertThat(plan.runs(dev.day0.core.Stage.CANARY)).isTrue();
        assertThat(plan.runs(dev.day0.core.Stage.VERBOSITY)).isFalse();
        assertThat(plan.workingStages()).extracting(ReleasePlan.StageSpec::key)
                .containsExactly("ptq", "canary", "baseline_eval", "quantized_eval");
    }

    @Test
    public void shouldRefuseACanaryOnRockieSinceDayZeroCannotReachItsServer() {
        fixture.canary = "  canary: {runner: rockie}\n";

        assertRefused("stages.canary.runner", "use local or slurm");
    }

    @Test
    public void shouldRefuseACanaryWhoseServerWouldBeEndedBeforeTheCeiling() {
        fixture.canary = CANARY.replace("7200", "600");

        assertRefused("stages.canary.timeout_seconds", "must be more than probe.ceiling_seconds (5400)");
    }

    @Test
    public void shouldRefuseACanaryWithoutACheckpointWhenPtqGivesOnlyASummary() {
        fixture.canary = CANARY.replace("probe: {checkpoint: ckpt}", "probe: {ceiling_seconds: 60}");

        assertRefused("stages.canary.probe.checkpoint", "is missing");
    }

    @Test
    public void shouldRefuseAMisspeltProbeField() {
        fixture.canary = CANARY.replace("checkpoint: ckpt", "checkpoint: ckpt, celing_seconds: 60");

        assertRefused("stages.canary.probe", "celing_seconds");
    }

    @Test
    public void shouldReadVerbosityWithUpstreamDefaults() {
        fixture.extra = "verbosity: {baseline: a, candidate: b}\n";

        ReleasePlan plan = load();

        assertThat(plan.verbosity().threshold()).isEqualTo(0.05);
        assertThat(plan.verbosity().glob()).isEqualTo("eval_*");
        assertThat(plan.verbosity().exclude()).isEqualTo("_high");
    }

    @Test
    public void shouldRefuseVerbosityWithoutTheCandidateRunDirectories() {
        fixture.extra = "verbosity: {baseline: a}\n";

        assertRefused("verbosity.candidate", "");
    }

    @Test
    public void shouldRefuseAVerbosityGlobWithAPathSeparator() {
        fixture.extra = "verbosity: {baseline: a, candidate: b, glob: \"runs/eval_*\"}\n";

        assertRefused("verbosity.glob", "no path separator");
    }
}
