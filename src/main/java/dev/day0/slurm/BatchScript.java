package dev.day0.slurm;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes the batch script of a stage attempt. It holds the Slurm options and the command, never a secret: the
 * variables the plan names under {@code environment} are passed by name with {@code --export}, and sbatch copies
 * their values from the environment it runs in.
 */
public final class BatchScript {
    private BatchScript() {
    }

    public static String render(SlurmJobSpec spec) {
        SlurmOptions options = spec.options();
        List<String> lines = new ArrayList<>();
        lines.add("#!/bin/bash");
        directive(lines, "--job-name", spec.jobName());
        directive(lines, "--comment", spec.comment());
        directive(lines, "--output", spec.outputPath());
        // NONE still gives the job the user's login environment; a named list adds exactly those variables.
        directive(lines, "--export", options.environment().isEmpty() ? "NONE"
                : String.join(",", options.environment()));
        directive(lines, "--chdir", options.workdir());
        directive(lines, "--partition", options.partition());
        directive(lines, "--account", options.account());
        directive(lines, "--qos", options.qos());
        directive(lines, "--nodes", options.nodes() == null ? null : options.nodes().toString());
        directive(lines, "--gpus", options.gpus());
        directive(lines, "--gres", options.gres());
        directive(lines, "--time", options.time());
        directive(lines, "--constraint", options.constraint());
        for (String extra : options.extra()) {
            lines.add("#SBATCH " + extra);
        }
        lines.add("# day0: plan " + spec.plan() + ", stage " + spec.stage() + ", attempt " + spec.attempt()
                + ". Written by day0; secrets reach the job through --export, not through this file.");
        spec.variables().forEach((name, value) -> lines.add("export " + name + "=" + ShellQuote.quote(value)));
        lines.add(ShellQuote.join(spec.command()));
        return String.join("\n", lines) + "\n";
    }

    private static void directive(List<String> lines, String option, String value) {
        if (value != null) {
            if (value.matches(".*[\\s'\"].*")) {
                throw new IllegalArgumentException(option + " must be one word without spaces or quotes: " + value);
            }
            lines.add("#SBATCH " + option + "=" + value);
        }
    }
}
