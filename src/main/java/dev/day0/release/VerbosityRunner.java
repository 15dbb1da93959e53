package dev.day0.release;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Stage;
import dev.day0.gates.GateResult;
import dev.day0.gates.VerbosityGate;
import dev.day0.core.FailureClass;
import dev.day0.io.VerbatimFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The verbosity gate in the chain: {@link VerbosityGate} over the two evals' run directories, after compare.
 * Every {@code artifacts/eval_factory_metrics.json} under each tree is copied into
 * {@code evidence/verbosity/{baseline,candidate}/} (same relative paths) and the gate reads the copies, so a resume
 * judges exactly the files this stage recorded; a copy tree that gained or lost a file since is refused.
 */
final class VerbosityRunner implements StageRunner {
    static final String METRICS_FILE = "eval_factory_metrics.json";

    private final VerbosityPlan verbosity;

    VerbosityRunner(VerbosityPlan verbosity) {
        this.verbosity = verbosity;
    }

    @Override
    public StepResult run(StageContext ctx) {
        Stage stage = Stage.VERBOSITY;
        ctx.progress().stage(stage, "comparing response lengths, threshold " + verbosity.threshold()
                + (ctx.rejudging() ? " again, from the evidence recorded for it" : ""));
        Path evidence = ctx.evidenceDir(stage);
        Path baseline = evidence.resolve("baseline");
        Path candidate = evidence.resolve("candidate");
        if (ctx.rejudging()) {
            Set<Path> recorded = ctx.state().evidence(stage, false).keySet().stream()
                    .map(path -> path.toAbsolutePath().normalize()).collect(Collectors.toCollection(TreeSet::new));
            Set<Path> present = new TreeSet<>(metrics(baseline));
            present.addAll(metrics(candidate));
            present.removeIf(path -> !path.startsWith(evidence));
            recorded.removeIf(path -> !path.getFileName().toString().equals(METRICS_FILE));
            if (!present.equals(recorded)) {
                Set<Path> added = new TreeSet<>(present);
                added.removeAll(recorded);
                return ctx.gateResult(StepResult.failed(FailureClass.UNKNOWN, evidence + " holds metrics files "
                        + "this stage did not record (" + added + "): a resume judges only recorded evidence; start "
                        + "a new run").result());
            }
        } else {
            StageContext.deleteTree(evidence);
            Path baselineRoot = verbosity.baseline().resolve(ctx.plan().dir(), ctx.workdir(),
                    ctx.stageDir(Stage.BASELINE_EVAL));
            Path candidateRoot = verbosity.candidate().resolve(ctx.plan().dir(), ctx.workdir(),
                    ctx.stageDir(Stage.QUANTIZED_EVAL));
            for (Path root : List.of(baselineRoot, candidateRoot)) {
                if (!Files.isDirectory(root)) {
                    return ctx.gateResult(StepResult.failed(FailureClass.UNKNOWN, "verbosity."
                            + (root == baselineRoot ? "baseline" : "candidate") + ": " + root + " is not a "
                            + "directory (the eval did not write its run directories there)").result());
                }
            }
            copyTree(ctx, baselineRoot, baseline);
            copyTree(ctx, candidateRoot, candidate);
        }
        GateResult verdict = new VerbosityGate(verbosity.threshold()).evaluate(baseline, candidate,
                verbosity.glob(), verbosity.exclude());
        ObjectNode json = verdict.toJson();
        json.put("threshold", verbosity.threshold());
        json.put("glob", verbosity.glob());
        json.put("exclude", verbosity.exclude());
        return ctx.gateResult(json);
    }

    /** Copies every metrics file under {@code root} to the same relative path under {@code target}. */
    private static void copyTree(StageContext ctx, Path root, Path target) {
        StageContext.createDirectories(target);
        for (Path file : metrics(root)) {
            Path copy = target.resolve(root.relativize(file).toString());
            VerbatimFiles.copyEvidence(file, copy);
            ctx.input(file);
            ctx.output(copy);
        }
    }

    private static List<Path> metrics(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(path -> path.getFileName().toString().equals(METRICS_FILE)
                            && path.getParent() != null && path.getParent().getFileName().toString().equals("artifacts")
                            && Files.isRegularFile(path))
                    .map(path -> path.toAbsolutePath().normalize()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + root + ": " + e.getMessage(), e);
        }
    }
}
