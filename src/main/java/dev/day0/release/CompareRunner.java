package dev.day0.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Stage;
import dev.day0.gates.CompareGate;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.noise.NoiseJudge;
import dev.day0.noise.NoiseMode;
import dev.day0.noise.NoisePolicy;
import dev.day0.noise.SampleCounts;
import dev.day0.noise.SampleFiles;
import dev.day0.noise.StandardErrors;
import dev.day0.core.FailureClass;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The verdict: the quantized scores against the baseline's, by the plan's threshold (absolute or relative), its
 * per-task scales, published figures and, with {@code noise}, each drop's interval. It reads the scores the run
 * gates passed, and every file it reads is recorded as its input.
 */
final class CompareRunner implements StageRunner {

    @Override
    public StepResult run(StageContext ctx) {
        ReleasePlan plan = ctx.plan();
        ctx.progress().stage(Stage.COMPARE, "comparing quantized with baseline scores, threshold "
                + plan.threshold() + (plan.relative() ? " (relative)" : ""));
        ReleaseState state = ctx.state();
        Path baseline = state.output(Stage.BASELINE_GATE, "scores");
        Path candidate = state.output(Stage.QUANTIZED_GATE, "scores");
        if (baseline == null || candidate == null || !Files.isRegularFile(baseline)
                || !Files.isRegularFile(candidate)) {
            return StepResult.failed(FailureClass.UNKNOWN, "the scores the run gates passed are no longer in "
                    + ctx.workdir().resolve("evidence") + "; start a new run");
        }
        ctx.input(baseline);
        ctx.input(candidate);
        StageContext.deleteTree(ctx.evidenceDir(Stage.COMPARE));
        JsonNode published = null;
        String publishedName = null;
        if (plan.published() != null) {
            Path source = plan.published().resolve(plan.dir(), ctx.workdir(), ctx.workdir());
            if (!Files.isRegularFile(source)) {
                throw new InputException(plan.file().toString(), "published", source + " does not exist");
            }
            Path copy = ctx.takeEvidence(plan.published(), Stage.COMPARE, "published.json");
            ctx.output("published", copy);
            published = Json.read(copy);
            publishedName = source.toString();
        }
        ReleasePlan.Noise noise = plan.noise();
        NoisePolicy policy = NoisePolicy.none();
        NoiseJudge judge = null;
        if (noise != null) {
            Path baselineDir = ctx.stageDir(Stage.BASELINE_EVAL);
            Path candidateDir = ctx.stageDir(Stage.QUANTIZED_EVAL);
            Path workdir = ctx.workdir();
            if (noise.policy() != null) {
                Path policyFile = noise.policy().resolve(plan.dir(), workdir, workdir);
                policy = NoisePolicy.read(policyFile);
                ctx.input(policyFile);
            }
            judge = new NoiseJudge(NoiseMode.valueOf(noise.mode().toUpperCase(Locale.ROOT)), policy,
                    noise.baselineSamples() == null ? null : SampleFiles.scan(noise.baselineSamples()
                            .resolve(plan.dir(), workdir, baselineDir), "noise.baseline_samples"),
                    noise.candidateSamples() == null ? null : SampleFiles.scan(noise.candidateSamples()
                            .resolve(plan.dir(), workdir, candidateDir), "noise.candidate_samples"),
                    noise.baselineStderr() == null ? null : StandardErrors.read(input(ctx, noise.baselineStderr()
                            .resolve(plan.dir(), workdir, baselineDir))),
                    noise.candidateStderr() == null ? null : StandardErrors.read(input(ctx, noise.candidateStderr()
                            .resolve(plan.dir(), workdir, candidateDir))),
                    noise.sampleCounts() == null ? null : SampleCounts.read(input(ctx, noise.sampleCounts()
                            .resolve(plan.dir(), workdir, workdir))));
        }
        CompareGate gate = new CompareGate(plan.threshold(), plan.relative(), plan.scales(), published,
                publishedName, policy, judge);
        dev.day0.gates.GateResult compared = gate.evaluate(Json.read(baseline), baseline.toString(),
                Json.read(candidate), candidate.toString());
        ObjectNode result = withConfigParity(ctx, compared);
        if (judge != null) {
            judge.usedSampleFiles().forEach((role, file) -> {
                state.output(Stage.COMPARE, role, file);
                ctx.input(file);
            });
        }
        return ctx.gateResult(result);
    }

    /**
     * Config parity (docs/gates.md): the two evals' recorded configurations must differ in nothing but the
     * checkpoint, else the comparison is ANOMALOUS / CONFIG_MISMATCH naming the keys. A run summary without a
     * recorded configuration (given files, a baseline reused from MLflow) cannot be checked: when neither side has
     * one the result says so; when only one has, the comparison is refused as a mismatch, since the other side's
     * settings are unknown.
     */
    static ObjectNode withConfigParity(StageContext ctx, dev.day0.gates.GateResult compared) {
        ReleaseState state = ctx.state();
        Path baseline = state.output(Stage.BASELINE_GATE, "run_summary");
        Path candidate = state.output(Stage.QUANTIZED_GATE, "run_summary");
        JsonNode baseRun = baseline != null && Files.isRegularFile(baseline) ? Json.read(baseline) : null;
        JsonNode candRun = candidate != null && Files.isRegularFile(candidate) ? Json.read(candidate) : null;
        boolean baseConfig = baseRun != null && baseRun.path("config").isObject();
        boolean candConfig = candRun != null && candRun.path("config").isObject();
        if (baseConfig && candConfig) {
            ctx.input(baseline);
            ctx.input(candidate);
            return dev.day0.gates.ConfigParity.compare(baseRun, baseline.toString(), candRun, candidate.toString())
                    .applyTo(compared).toJson();
        }
        ObjectNode result = compared.toJson();
        ObjectNode note = result.putObject("config_parity");
        note.put("checked", false);
        if (!baseConfig && !candConfig) {
            note.put("reason", "neither eval recorded its configuration (" + (baseRun == null
                    ? "the baseline has no run summary" : "no config in the baseline's run summary") + ")");
            return result;
        }
        String missing = baseConfig ? "quantized_eval" : "baseline_eval";
        note.put("reason", missing + " recorded no configuration");
        ObjectNode without = result.putObject("decision_without_parity");
        without.set("decision", result.get("decision"));
        without.set("failure_class", result.get("failure_class"));
        without.set("detail", result.get("detail"));
        result.put("pass", false);
        result.put("decision", dev.day0.core.Decision.ANOMALOUS.name());
        result.put("failure_class", FailureClass.CONFIG_MISMATCH.name());
        result.put("detail", "config parity cannot be checked: " + missing + "'s run summary records no "
                + "configuration while the other eval's does, so the two may differ in anything");
        return result;
    }

    private static Path input(StageContext ctx, Path file) {
        ctx.input(file);
        return file;
    }
}
