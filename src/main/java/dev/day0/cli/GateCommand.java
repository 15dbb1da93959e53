package dev.day0.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.core.CommonExit;
import dev.day0.core.Threshold;
import dev.day0.gates.CompareGate;
import dev.day0.gates.ConfigParity;
import dev.day0.gates.GateResult;
import dev.day0.gates.PtqGate;
import dev.day0.gates.RunGate;
import dev.day0.gates.VerbosityGate;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.noise.NoiseJudge;
import dev.day0.noise.NoiseMode;
import dev.day0.noise.NoisePolicy;
import dev.day0.noise.SampleCounts;
import dev.day0.noise.SampleFiles;
import dev.day0.noise.StandardErrors;
import dev.day0.report.DecisionRecord;
import dev.day0.report.ReportWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code day0 gate ptq|run|compare|verbosity}: the release gates, command-line compatible with the upstream scripts. */
@Command(name = "gate",
        description = "Run one release gate on JSON evidence and print its verdict as JSON.",
        mixinStandardHelpOptions = true)
@ExitCodeFamily(CommonExit.class)
@Subcommands({GateCommand.Ptq.class, GateCommand.Run.class, GateCommand.Compare.class,
    GateCommand.Verbosity.class})
public final class GateCommand {

    /** Options every gate shares. */
    abstract static class GateOptions extends EngineCommand {
        @Mixin
        OutFile out = new OutFile();

        @Option(names = "--report-dir", paramLabel = "DIR",
                description = "Also write decision.json, report.md and junit.xml into DIR.")
        Path reportDir;

        @Option(names = "--stage", paramLabel = "NAME",
                description = "Stage name in the report (default: the gate name).")
        String stage;

        /** An input file and its role in the decision record; null files are options not given. */
        record InputFile(String role, Path file) {
        }

        int finish(GateResult result, List<InputFile> inputs) {
            // The decision record keeps the gate's result; the exit block belongs to this command's answer only.
            JsonNode json = result.toJson();
            int code = out.answer(console(), result.toJson(), result.pass() ? CommonExit.OK : CommonExit.FAILED);
            if (reportDir != null) {
                DecisionRecord record = new DecisionRecord(Version.current());
                for (InputFile input : inputs) {
                    if (input.file() != null) {
                        record.input(input.role(), input.file());
                    }
                }
                record.stage(stage == null ? result.gate() : stage, result.gate(), json);
                List<Path> written = new ReportWriter(console().redactor()).write(record, reportDir);
                console().info("day0: report written: " + written.get(0) + ", " + written.get(1) + ", "
                        + written.get(2));
            }
            return code;
        }
    }

    @Command(name = "ptq", mixinStandardHelpOptions = true,
            description = "Judge a quantized checkpoint's validation summary: coverage, metadata, size.")
    static final class Ptq extends GateOptions {
        @Option(names = "--summary", required = true, paramLabel = "FILE",
                description = "validation-summary.json (as written by 'day0 inspect checkpoint').")
        Path summary;

        @Option(names = "--recipe", paramLabel = "RECIPE",
                description = "Override the summary's recipe: nvfp4, nvfp4_mlp_only, nvfp4_experts_only, "
                        + "nvfp4_omlp_only, fp8, int4_awq, int4_gptq.")
        String recipe;

        @Override
        public Integer call() {
            GateResult result = new PtqGate().evaluate(Json.read(summary), summary.toString(), recipe);
            return finish(result, List.of(new InputFile("summary", summary)));
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Judge whether an evaluation run finished and its samples and scores can be trusted.")
    static final class Run extends GateOptions {
        @Option(names = "--run", required = true, paramLabel = "FILE",
                description = "run-summary.json: {\"tasks\": {name: {status, expected_samples, scored_samples, "
                        + "score, errors}}}.")
        Path run;

        @Option(names = "--serving", paramLabel = "FILE",
                description = "Serving-probe evidence ('day0 probe serving'); unhealthy means "
                        + "DEPLOYMENT_HEALTH_FAILED.")
        Path serving;

        @Override
        public Integer call() {
            JsonNode servingDoc = serving == null ? null : Json.read(serving);
            GateResult result = new RunGate().evaluate(Json.read(run), run.toString(), servingDoc,
                    serving == null ? null : serving.toString());
            return finish(result, List.of(new InputFile("run", run),
                    new InputFile("serving", serving)));
        }
    }

    @Command(name = "compare", mixinStandardHelpOptions = true,
            description = "Compare candidate scores with baseline scores task by task and decide ACCEPT, "
                    + "REGRESSION or ANOMALOUS (with --noise, also NEEDS_HUMAN when the evidence is inconclusive).",
            footer = {"", "Decisions: ACCEPT exits 0; REGRESSION, ANOMALOUS and NEEDS_HUMAN exit 1.",
                "Noise-aware verdicts, the policy file and the sample-file naming: docs/noise.md."})
    static final class Compare extends GateOptions {
        @Option(names = "--baseline", required = true, paramLabel = "FILE", description = "{task: score} of the "
                + "baseline.")
        Path baseline;

        @Option(names = "--candidate", required = true, paramLabel = "FILE", description = "{task: score} of the "
                + "candidate.")
        Path candidate;

        @Option(names = "--threshold", paramLabel = "T", defaultValue = Threshold.DEFAULT_TEXT,
                description = "Largest allowed drop as a fraction of the scale (default: ${DEFAULT-VALUE}).")
        String threshold;

        @Option(names = "--relative", description = "Measure the drop relative to the baseline score.")
        boolean relative;

        @Option(names = "--scales", paramLabel = "JSON",
                description = "Per-task scale: a positive number, or {\"min\": a, \"max\": b} for signed ranges. "
                        + "JSON text, or @FILE to read it from a file.")
        String scales;

        @Option(names = "--published", paramLabel = "FILE",
                description = "{task: score} published for the baseline (a model card); a measured baseline more "
                        + "than 5 points away is EXTERNAL_BASELINE_MISMATCH.")
        Path published;

        @Option(names = "--noise", paramLabel = "MODE", defaultValue = "off",
                description = "off (the point rule, default), paired (per-sample files of both runs) or unpaired "
                        + "(standard errors or item counts): judge each drop by its 95%% interval.")
        NoiseMode noise;

        @Option(names = "--baseline-samples", paramLabel = "DIR",
                description = "Per-sample files of the baseline (lm-eval samples_<task>_<timestamp>.jsonl or "
                        + "<task>.jsonl), for --noise paired.")
        Path baselineSamples;

        @Option(names = "--candidate-samples", paramLabel = "DIR",
                description = "Per-sample files of the candidate, for --noise paired.")
        Path candidateSamples;

        @Option(names = "--baseline-stderr", paramLabel = "FILE",
                description = "{task: stderr} of the baseline on the scores' scale (\"N/A\" allowed), or an lm-eval "
                        + "results_*.json.")
        Path baselineStderr;

        @Option(names = "--candidate-stderr", paramLabel = "FILE",
                description = "{task: stderr} of the candidate, or an lm-eval results_*.json.")
        Path candidateStderr;

        @Option(names = "--sample-counts", paramLabel = "FILE",
                description = "{task: n}, items per task, for a binomial standard error when none is given.")
        Path sampleCounts;

        @Option(names = "--policy", paramLabel = "FILE",
                description = "policy.yaml: per-task tier (critical, supporting, advisory), threshold, direction "
                        + "(higher, lower), relative_guard, metric, n.")
        Path policyFile;

        @Option(names = "--baseline-run", paramLabel = "FILE",
                description = "Run summary of the baseline ('day0 inspect eval --run-summary'): with "
                        + "--candidate-run, any configuration difference other than the checkpoint is ANOMALOUS / "
                        + "CONFIG_MISMATCH.")
        Path baselineRun;

        @Option(names = "--candidate-run", paramLabel = "FILE",
                description = "Run summary of the candidate, for the config parity check.")
        Path candidateRun;

        @Override
        public Integer call() {
            double limit = parseThreshold(threshold);
            checkNoiseOptions();
            if ((baselineRun == null) != (candidateRun == null)) {
                throw new InputException(baselineRun == null ? "--candidate-run" : "--baseline-run", "",
                        "needs " + (baselineRun == null ? "--baseline-run" : "--candidate-run")
                                + " too: config parity compares both runs");
            }
            ConfigParity.Report parity = baselineRun == null ? null : ConfigParity.compare(Json.read(baselineRun),
                    baselineRun.toString(), Json.read(candidateRun), candidateRun.toString());
            NoisePolicy policy = policyFile == null ? NoisePolicy.none() : NoisePolicy.read(policyFile);
            NoiseJudge judge = null;
            if (noise != NoiseMode.OFF) {
                judge = new NoiseJudge(noise, policy,
                        baselineSamples == null ? null : SampleFiles.scan(baselineSamples, "--baseline-samples"),
                        candidateSamples == null ? null : SampleFiles.scan(candidateSamples, "--candidate-samples"),
                        baselineStderr == null ? null : StandardErrors.read(baselineStderr),
                        candidateStderr == null ? null : StandardErrors.read(candidateStderr),
                        sampleCounts == null ? null : SampleCounts.read(sampleCounts));
            }
            JsonNode scalesDoc = null;
            Path scalesFile = null;
            if (scales != null) {
                if (scales.startsWith("@")) {
                    scalesFile = Path.of(scales.substring(1));
                    scalesDoc = Json.read(scalesFile);
                } else {
                    scalesDoc = Json.parse(scales, "--scales");
                }
            }
            JsonNode publishedDoc = published == null ? null : Json.read(published);
            CompareGate gate = new CompareGate(limit, relative, scalesDoc, publishedDoc,
                    published == null ? null : published.toString(), policy, judge);
            GateResult result = gate.evaluate(Json.read(baseline), baseline.toString(), Json.read(candidate),
                    candidate.toString());
            if (parity != null) {
                parity.flags().forEach(flag -> console().info("day0: warning: " + flag));
                result = parity.applyTo(result);
            }
            List<InputFile> inputs = new ArrayList<>(List.of(new InputFile("baseline", baseline),
                    new InputFile("candidate", candidate), new InputFile("scales", scalesFile),
                    new InputFile("published", published), new InputFile("policy", policyFile),
                    new InputFile("baseline-stderr", baselineStderr),
                    new InputFile("candidate-stderr", candidateStderr),
                    new InputFile("sample-counts", sampleCounts), new InputFile("baseline-run", baselineRun),
                    new InputFile("candidate-run", candidateRun)));
            if (judge != null) {
                for (Map.Entry<String, Path> used : judge.usedSampleFiles().entrySet()) {
                    inputs.add(new InputFile(used.getKey(), used.getValue()));
                }
            }
            return finish(result, inputs);
        }

        /** Evidence options only mean something with the noise mode that reads them; say so instead of ignoring. */
        private void checkNoiseOptions() {
            if ((baselineSamples == null) != (candidateSamples == null)) {
                throw new InputException(baselineSamples == null ? "--candidate-samples" : "--baseline-samples", "",
                        "needs " + (baselineSamples == null ? "--baseline-samples" : "--candidate-samples")
                                + " too: pairing needs both runs");
            }
            if ((baselineStderr == null) != (candidateStderr == null)) {
                throw new InputException(baselineStderr == null ? "--candidate-stderr" : "--baseline-stderr", "",
                        "needs " + (baselineStderr == null ? "--baseline-stderr" : "--candidate-stderr")
                                + " too: the interval of a difference needs both runs' standard errors");
            }
            boolean samples = baselineSamples != null;
            boolean errors = baselineStderr != null || sampleCounts != null;
            switch (noise) {
                case OFF -> {
                    if (samples || errors) {
                        throw new InputException("--noise", "", "is off, so "
                                + (samples ? "--baseline-samples/--candidate-samples" : baselineStderr != null
                                ? "--baseline-stderr/--candidate-stderr" : "--sample-counts")
                                + " would be ignored; add --noise " + (samples ? "paired" : "unpaired"));
                    }
                }
                case PAIRED -> {
                    if (!samples) {
                        throw new InputException("--noise", "", "paired needs --baseline-samples DIR and "
                                + "--candidate-samples DIR");
                    }
                }
                case UNPAIRED -> {
                    if (samples) {
                        throw new InputException("--noise", "", "unpaired does not read per-sample files; use "
                                + "--noise paired with --baseline-samples/--candidate-samples");
                    }
                }
                default -> throw new IllegalStateException("unknown noise mode " + noise);
            }
        }
    }

    @Command(name = "verbosity", mixinStandardHelpOptions = true,
            description = "Judge whether the candidate's average output length stays within a threshold of the "
                    + "baseline's, task by task (drop-in for gate_verbosity.py).",
            footer = {"", "VERBOSITY_EXCEEDED and SAMPLE_ACCOUNTING_FAILED exit 1; nothing harvested or a broken "
                    + "metrics file exits 2.",
                "Rules and the differences from gate_verbosity.py: docs/gates.md."})
    static final class Verbosity extends GateOptions {
        @Option(names = "--baseline", required = true, paramLabel = "DIR",
                description = "Baseline directory containing eval run dirs.")
        Path baseline;

        @Option(names = "--candidate", required = true, paramLabel = "DIR",
                description = "Candidate directory containing eval run dirs.")
        Path candidate;

        @Option(names = "--glob", paramLabel = "PATTERN", defaultValue = VerbosityGate.DEFAULT_GLOB,
                description = "Run-dir pattern within each side (default: ${DEFAULT-VALUE}).")
        String glob;

        @Option(names = "--exclude", paramLabel = "S", defaultValue = VerbosityGate.DEFAULT_EXCLUDE,
                description = "Skip run dirs whose name contains S (a reasoning-effort mismatch); '' disables "
                        + "(default: ${DEFAULT-VALUE}).")
        String exclude;

        @Option(names = "--threshold", paramLabel = "T", defaultValue = "0.05",
                description = "Largest allowed |delta| as a fraction of the baseline mean (default: "
                        + "${DEFAULT-VALUE}).")
        String threshold;

        @Override
        public Integer call() {
            GateResult result = new VerbosityGate(parseThreshold(threshold)).evaluate(baseline, candidate, glob,
                    exclude);
            for (String side : List.of("baseline", "candidate")) {
                JsonNode excluded = result.body().path("harvest_diagnostics").path(side).path("excluded_run_dirs");
                if (excluded.size() > 0) {
                    console().info("note: " + side + ": excluded " + excluded.size() + " run dir(s) matching '"
                            + exclude + "': " + excluded);
                }
            }
            // The inputs are directory trees, which have no single digest; the per-task JSON names what was read.
            int code = finish(result, List.of());
            // Nothing harvested is a bad invocation (wrong root, glob or exclude), not a behaviour change.
            return result.failureClass() == dev.day0.core.FailureClass.USER_CONFIG_ERROR ? CommonExit.INPUT.code() : code;
        }
    }

    static double parseThreshold(String text) {
        double value;
        try {
            value = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new InputException("--threshold", "", "must be a number, got \"" + text + "\"");
        }
        return Threshold.require(value, "--threshold", "");
    }
}
