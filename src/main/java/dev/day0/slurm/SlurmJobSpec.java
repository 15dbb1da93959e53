package dev.day0.slurm;

import dev.day0.io.FileDigest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One stage attempt to run as a Slurm job.
 *
 * @param runKey     what makes this run unique among runs of the same plan (the run's state directory, say), so
 *                   two runs of one plan never take each other's job for their own
 * @param command    the stage's command, run in the batch script as an argv list
 * @param variables  variables day0 sets for the command that are not secrets (DAY0_STAGE, DAY0_STAGE_DIR, ...):
 *                   written into the script as {@code export} lines, so the script shows what the job saw
 * @param outputPath the job's output file on the cluster's shared filesystem (stdout and stderr together)
 */
public record SlurmJobSpec(String plan, String stage, int attempt, String runKey, List<String> command,
                           Map<String, String> variables, SlurmOptions options, String outputPath) {
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** A job with no variables of day0's own. */
    public SlurmJobSpec(String plan, String stage, int attempt, String runKey, List<String> command,
                        SlurmOptions options, String outputPath) {
        this(plan, stage, attempt, runKey, command, Map.of(), options, outputPath);
    }

    public SlurmJobSpec {
        for (String name : variables.keySet()) {
            if (!ENV_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("not an environment variable name: " + name);
            }
        }
        variables = Collections.unmodifiableMap(new TreeMap<>(variables));
        if (command == null || command.isEmpty()) {
            throw new IllegalArgumentException("a Slurm job needs a command");
        }
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be 1 or more, was " + attempt);
        }
        if (outputPath == null || outputPath.isBlank() || outputPath.matches(".*[\\s'\"].*")) {
            throw new IllegalArgumentException("the output path must be one word without spaces or quotes: "
                    + outputPath);
        }
        command = List.copyOf(command);
    }

    /**
     * The job name that identifies this attempt in Slurm's records, and so makes a submission at most once:
     * {@code day0-<plan>-<stage>-a<attempt>-<hash>}, the hash over the run key, plan, stage and attempt.
     */
    public String jobName() {
        return "day0-" + slug(plan, 40) + "-" + slug(stage, 30) + "-a" + attempt + "-" + key();
    }

    /** The job's comment: the same identity in a form a person reading squeue output recognises. */
    public String comment() {
        return "day0:" + slug(plan, 60) + ":" + slug(stage, 30) + ":attempt" + attempt + ":" + key();
    }

    private String key() {
        String identity = runKey + "\n" + plan + "\n" + stage + "\n" + attempt;
        return FileDigest.sha256(identity.getBytes(StandardCharsets.UTF_8)).substring(0, 12);
    }

    private static String slug(String text, int max) {
        String slug = text == null ? "" : text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "_");
        return slug.length() > max ? slug.substring(0, max) : slug;
    }
}
