package dev.day0.release;

import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import dev.day0.testing.CliRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A plan directory for conductor tests: one POSIX sh script that every local stage runs (it appends its stage and
 * run number to runs.log, copies evidence files into its stage directory and exits as told), evidence files for a
 * release that passes, and a plan whose parts each test can replace.
 */
public final class ReleaseFixture {
    public static final String SCRIPT = """
            #!/bin/sh
            # Test stage: records that it ran, copies the named evidence files into its stage directory.
            # A file NAME.runN replaces NAME on run N; a file fail.STAGE makes the stage exit 3.
            set -eu
            echo "$DAY0_STAGE $DAY0_RUN" >> "$DAY0_PLAN_DIR/runs.log"
            echo "stage $DAY0_STAGE run $DAY0_RUN for $DAY0_MODEL"
            for f in "$@"; do
              src="$DAY0_PLAN_DIR/$f"
              if [ -f "$src.run$DAY0_RUN" ]; then src="$src.run$DAY0_RUN"; fi
              cp "$src" "$DAY0_STAGE_DIR/$(basename "$f")"
            done
            if [ -n "${SAY:-}" ]; then echo "$SAY"; fi
            if [ -n "${SLEEP_SECONDS:-}" ]; then sleep "$SLEEP_SECONDS"; fi
            if [ -f "$DAY0_PLAN_DIR/fail.$DAY0_STAGE" ]; then echo "told to fail" >&2; exit 3; fi
            exit "${EXIT_CODE:-0}"
            """;

    public static final String GOOD_SUMMARY = """
            {"source_bytes": 16000, "output_bytes": 4600, "recipe": "nvfp4",
             "layer_precision_counts": {"NVFP4": 14, "excluded": 1, "unexpected_unquantized": 0,
                                        "declaration_mismatch": 0},
             "metadata_diffs": []}
            """;

    public final Path dir;
    public String header = """
            version: 1
            name: fixture
            model: test-org/tiny-model
            recipe: nvfp4
            tasks: [gsm8k, mmlu]
            sampling: {temperature: 0.0, max_tokens: 256}
            retry: {transient_wait_seconds: 0, judge_wait_seconds: 0}
            """;
    public String extra = "";
    public String ptq = """
              ptq:
                runner: local
                command: [sh, stage.sh, summary.json]
                timeout_seconds: 60
                evidence: {summary: "{stage_dir}/summary.json"}
            """;
    /** The canary stage's YAML (indented as a stage), or empty for a plan without one. */
    public String canary = "";
    public String baseline = evalStage("baseline_eval", "baseline");
    public String quantized = evalStage("quantized_eval", "quantized");

    public ReleaseFixture(Path dir) {
        this.dir = dir;
        file("stage.sh", SCRIPT);
        file("summary.json", GOOD_SUMMARY);
        run("baseline", 70.0, 80.0);
        run("quantized", 69.5, 79.6);
    }

    public static String evalStage(String key, String folder) {
        return "  " + key + ":\n"
                + "    runner: local\n"
                + "    command: [sh, stage.sh, " + folder + "/run-summary.json, " + folder + "/scores.json]\n"
                + "    timeout_seconds: 60\n"
                + "    evidence: {run_summary: \"{stage_dir}/run-summary.json\", scores: \"{stage_dir}/scores.json\"}\n";
    }

    /** Writes a successful run summary and the scores of an eval folder. */
    public ReleaseFixture run(String folder, double mmlu, double gsm8k) {
        file(folder + "/scores.json", "{\"mmlu\": " + mmlu + ", \"gsm8k\": " + gsm8k + "}\n");
        file(folder + "/run-summary.json", runSummary("SUCCESS", mmlu, gsm8k, "[]"));
        return this;
    }

    public static String runSummary(String status, double mmlu, double gsm8k, String errors) {
        return "{\"tasks\": {"
                + "\"mmlu\": {\"status\": \"" + status + "\", \"expected_samples\": 100, \"scored_samples\": 100, "
                + "\"score\": " + mmlu + ", \"errors\": " + errors + "}, "
                + "\"gsm8k\": {\"status\": \"SUCCESS\", \"expected_samples\": 50, \"scored_samples\": 50, "
                + "\"score\": " + gsm8k + ", \"errors\": []}}}\n";
    }

    public ReleaseFixture file(String name, String text) {
        Path path = dir.resolve(name);
        try {
            Files.createDirectories(path.getParent());
            Files.writeString(path, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public ReleaseFixture delete(String name) {
        try {
            Files.deleteIfExists(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public String planText() {
        return header + extra + "stages:\n" + ptq + canary + baseline + quantized;
    }

    public Path plan() {
        file("release.yaml", planText());
        return dir.resolve("release.yaml");
    }

    public Path workdir() {
        return dir.resolve("work");
    }

    /** The stages that ran, one entry per run, in order ("ptq 1", "baseline_eval 1", ...). */
    public List<String> runs() {
        Path log = dir.resolve("runs.log");
        try {
            return Files.exists(log) ? Files.readAllLines(log) : new ArrayList<>();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An environment for a run: a PATH for the scripts and anything else given. */
    /**
     * Runs the plan through the conductor in this JVM, as {@code day0 release run} would, except that every wait
     * (triage's and MLflow's retry back-offs) takes no time.
     */
    public CliRun conduct(Map<String, String> env, boolean resume) {
        StringWriter err = new StringWriter();
        PrintWriter errWriter = new PrintWriter(err, true);
        try {
            Conductor.Options options = new Conductor.Options(workdir(), resume, Map.of(), Terminal.NONE,
                    stage -> { }, pause -> { });
            Conductor.Outcome outcome = new Conductor(ReleasePlan.load(plan()), options, env,
                    Redactor.fromEnvironment(env), errWriter, "test").run();
            return CliRun.of(outcome.exitCode(), Json.write(outcome.summary()) + "\n", err.toString());
        } catch (InputException e) {
            errWriter.println("day0 release run: " + e.getMessage());
            return CliRun.of(2, "", err.toString());
        }
    }

    public static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }
}
