package dev.day0.release;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Stage;
import dev.day0.io.FileDigest;
import dev.day0.io.RedactingWriter;
import dev.day0.io.VerbatimFiles;
import dev.day0.redact.Redactor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a stage runner may use: the plan, the run's options and environment, the redactor, progress, the state,
 * and the work directory's layout. It records the files the current stage reads ({@link #input}) and writes
 * ({@link #output}); when the stage ends the conductor stores them by sha256, and a resume refuses to judge a file
 * that changed since.
 */
public final class StageContext {
    private final ReleasePlan plan;
    private final Conductor.Options options;
    private final Map<String, String> env;
    private final Redactor redactor;
    private final Progress progress;
    private final Path workdir;
    private final String toolVersion;
    private final Set<Path> inputs = new LinkedHashSet<>();
    private final Set<Path> outputs = new LinkedHashSet<>();
    private ReleaseState state;
    private Stage stage;
    private boolean rejudging;
    private boolean approvalsPerStage;

    StageContext(ReleasePlan plan, Conductor.Options options, Map<String, String> env, Redactor redactor,
                 Progress progress, Path workdir, String toolVersion) {
        this.plan = plan;
        this.options = options;
        this.env = env;
        this.redactor = redactor;
        this.progress = progress;
        this.workdir = workdir;
        this.toolVersion = toolVersion;
    }

    void state(ReleaseState current) {
        this.state = current;
    }

    /**
     * Rockie stages are approved one at a time, just before each runs ({@code release step}), instead of all in
     * setup ({@code release run}).
     */
    void approvalsPerStage(boolean perStage) {
        this.approvalsPerStage = perStage;
    }

    boolean approvalsPerStage() {
        return approvalsPerStage;
    }

    /** Starts a stage: nothing recorded yet; {@code again} when a completed judgement is being made again. */
    void begin(Stage current, boolean again) {
        this.stage = current;
        this.rejudging = again;
        inputs.clear();
        outputs.clear();
        if (again) {
            inputs.addAll(state.evidence(current, true).keySet());
            outputs.addAll(state.evidence(current, false).keySet());
        }
    }

    /** Stores what the stage read and wrote, by sha256, in its state entry. */
    void seal() {
        state.evidence(stage, digests(inputs), digests(outputs));
    }

    private static Map<Path, String> digests(Set<Path> files) {
        Map<Path, String> digests = new LinkedHashMap<>();
        for (Path file : files) {
            if (Files.isRegularFile(file)) {
                digests.put(file, FileDigest.sha256(file));
            }
        }
        return digests;
    }

    public ReleasePlan plan() {
        return plan;
    }

    public Conductor.Options options() {
        return options;
    }

    public Map<String, String> env() {
        return env;
    }

    public Redactor redactor() {
        return redactor;
    }

    public Progress progress() {
        return progress;
    }

    public Path workdir() {
        return workdir;
    }

    public String toolVersion() {
        return toolVersion;
    }

    public ReleaseState state() {
        return state;
    }

    public Stage stage() {
        return stage;
    }

    /**
     * True when this judgement was made before (the stage had completed) and is made again on resume from the
     * evidence recorded then: a runner reads its recorded evidence instead of collecting it anew, and repeats no
     * side effect (an MLflow record).
     */
    public boolean rejudging() {
        return rejudging;
    }

    /** The plan's spec of a working stage. */
    public ReleasePlan.StageSpec spec(Stage work) {
        return switch (work) {
            case PTQ -> plan.ptq();
            case CANARY -> plan.canary().stage();
            case BASELINE_EVAL -> plan.baselineEval();
            case QUANTIZED_EVAL -> plan.quantizedEval();
            default -> throw new IllegalStateException("not a working stage: " + work);
        };
    }

    public Path stageDir(Stage of) {
        return workdir.resolve("stages").resolve(of.key());
    }

    public Path evidenceDir(Stage of) {
        return workdir.resolve("evidence").resolve(of.key());
    }

    public Path logFile(Stage of) {
        return workdir.resolve("logs").resolve(of.key() + ".log");
    }

    /** A plan path, with {@code {stage_dir}} meaning the given working stage's directory. */
    public Path resolve(PathTemplate template, Stage work) {
        return template.resolve(plan.dir(), workdir, stageDir(work));
    }

    /** A file the stage read: its digest is recorded, and a resume refuses it if it changed. */
    public void input(Path file) {
        inputs.add(file.toAbsolutePath().normalize());
    }

    /** A file the stage wrote, by role (kept in state.json under the stage's outputs), digest recorded. */
    public void output(String role, Path file) {
        state.output(stage, role, file);
        outputs.add(file.toAbsolutePath().normalize());
    }

    /** A file the stage wrote without a role of its own. */
    public void output(Path file) {
        outputs.add(file.toAbsolutePath().normalize());
    }

    /**
     * Copies an evidence file into the work directory, so the gate, the audit trail and a later resume all see
     * the same bytes even if the original is rewritten. The original is recorded as an input, the copy as an
     * output.
     */
    public Path takeEvidence(PathTemplate template, Stage work, String name) {
        Path source = resolve(template, work);
        if (!Files.isRegularFile(source)) {
            throw new EvidenceMissing(template.field(), source, work);
        }
        Path target = evidenceDir(stage).resolve(name);
        VerbatimFiles.copyEvidence(source, target);
        state.output(stage, name.replace(".json", "").replace('-', '_') + "_source", source);
        input(source);
        output(target);
        return target;
    }

    /** Writes a gate's result to {@code gates/STAGE.json} and returns it as the stage's result. */
    public StepResult gateResult(ObjectNode result) {
        Path file = workdir.resolve("gates").resolve(stage.key() + ".json");
        new RedactingWriter(redactor).json(file, result);
        return StepResult.fromJson(result);
    }

    /** Writes a JSON document through the redactor and records it as an output. */
    public void writeOutput(Path file, com.fasterxml.jackson.databind.JsonNode document) {
        new RedactingWriter(redactor).json(file, document);
        output(file);
    }

    public static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    public static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Evidence a stage should have written and did not: the gate cannot judge it. */
    static final class EvidenceMissing extends RuntimeException {
        private static final long serialVersionUID = 1L;

        EvidenceMissing(String field, Path path, Stage work) {
            super(field + ": " + path + " does not exist (the " + work + " stage did not write it)");
        }
    }

    /** Evidence that exists but cannot be read: the gate cannot judge it, a person must look. */
    static final class EvidenceUnusable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        EvidenceUnusable(String message) {
            super(message);
        }
    }
}
