package dev.day0.sota;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small claims, recipe, metrics and state files for the sota tests. */
public final class SotaFiles {
    public static final String CLAIMS = """
            paper:
              title: A test paper
            task: text classification
            dataset:
              name: sst2
              version: "1.0"
              split: validation
            model:
              name: bert-base-uncased
              checkpoint: rev-abc
            seed: 1
            hardware: 1x A100
            hyperparameters:
              lr: 2.0e-5
            metrics:
              - name: accuracy
                value: 93.5
                direction: higher_is_better
                tolerance:
                  absolute: 0.5
              - name: loss
                value: 0.25
                direction: lower
                tolerance:
                  relative: 0.1
            """;

    public static final String RECIPE = """
            name: sst2-repro
            seed: 7
            setup:
              - pip install torch
            run:
              - python train.py --seed "$DAY0_SEED"
            env:
              BATCH_SIZE: 32
            secrets:
              - HF_TOKEN
            compute:
              gpu_type: A100_80GB
              gpu_count: 1
              wallclock_minutes: 60
            """;

    private SotaFiles() {
    }

    public static Path write(Path dir, String name, String text) {
        try {
            Path file = dir.resolve(name);
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Rockie submit state file. */
    public static String state(String state, boolean jobDone, String outcome) {
        return "{\"idempotency_key\": \"k-1\", \"quote_sha256\": \"" + "a".repeat(64) + "\", \"job_id\": \"job-42\", "
                + "\"state\": " + quoted(state) + ", \"job_done\": " + jobDone + ", \"outcome\": " + quoted(outcome)
                + ", \"cost_actual_cents\": 1234, \"artifacts_dir\": \"/tmp/artifacts\"}";
    }

    private static String quoted(String value) {
        return value == null ? "null" : "\"" + value + "\"";
    }
}
