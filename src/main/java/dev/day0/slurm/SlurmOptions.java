package dev.day0.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Fields;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The {@code slurm:} block of a stage that runs {@code on: slurm} (docs/slurm.md, "Plan fields"). Every field is
 * optional; a cluster named in clusters.yaml fills account and partition when the plan leaves them out.
 *
 * @param cluster     a cluster name from clusters.yaml, or null
 * @param partition   {@code --partition}
 * @param account     {@code --account}
 * @param qos         {@code --qos}
 * @param nodes       {@code --nodes}, or null
 * @param gpus        {@code --gpus} ({@code 8} or {@code h100:8}), or null
 * @param gres        {@code --gres} ({@code gpu:8}), or null
 * @param time        {@code --time} in Slurm's format ({@code 30}, {@code 02:00:00}, {@code 1-00:00:00})
 * @param constraint  {@code --constraint}
 * @param extra       more {@code #SBATCH} options, each written as given ({@code --mem=64G})
 * @param environment names of environment variables to pass to the job; their values never enter the script
 * @param workdir     the job's working directory on the cluster's shared filesystem ({@code --chdir}), or null
 */
public record SlurmOptions(String cluster, String partition, String account, String qos, Integer nodes,
                           String gpus, String gres, String time, String constraint, List<String> extra,
                           List<String> environment, String workdir) {
    // #SBATCH lines are read by sbatch, not by a shell: a value only has to stay one word on one line.
    private static final Pattern WORD = Pattern.compile("[^\\s'\"]+");
    private static final Pattern TIME = Pattern.compile(
            "\\d+|\\d+:\\d{1,2}|\\d+:\\d{1,2}:\\d{1,2}|\\d+-\\d+|\\d+-\\d+:\\d{1,2}|\\d+-\\d+:\\d{1,2}:\\d{1,2}");
    /** 365 days: a longer limit is a typo, and Slurm's own field is 32 bits of minutes. */
    static final long MAX_TIME_MINUTES = 365L * 24 * 60;
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern EXTRA = Pattern.compile("--[a-z][a-z0-9-]*(?:=[^\\n\\r]+)?");
    private static final List<String> KNOWN = List.of("cluster", "partition", "account", "qos", "nodes", "gpus",
            "gres", "time", "constraint", "extra", "environment", "workdir");
    /** Options day0 writes itself: a plan that set them would break at-most-once or the output stream. */
    private static final List<String> RESERVED = List.of("--job-name", "--comment", "--output", "--error",
            "--export", "--chdir", "--parsable", "--wrap", "--array");

    public SlurmOptions {
        extra = List.copyOf(extra);
        environment = List.copyOf(environment);
    }

    public static SlurmOptions none() {
        return new SlurmOptions(null, null, null, null, null, null, null, null, null, List.of(), List.of(), null);
    }

    /**
     * Reads a {@code slurm:} block. {@code field} is its path in the plan ({@code stages.ptq.slurm}) for the
     * one-line error that names the file, the field and the problem.
     */
    public static SlurmOptions read(JsonNode block, Fields fields, String field) {
        if (block == null || block.isNull() || block.isMissingNode()) {
            return none();
        }
        fields.requireObject(block, field);
        block.fieldNames().forEachRemaining(name -> {
            if (!KNOWN.contains(name)) {
                throw fields.error(field + "." + name, "is not a slurm option; known: " + String.join(", ", KNOWN));
            }
        });
        // A YAML time: 30 is a number: read as its minutes, as "30" would be.
        JsonNode timeNode = block.get("time");
        String time = timeNode != null && timeNode.isIntegralNumber() ? timeNode.asText()
                : word(block, "time", fields, field);
        if (time != null) {
            checkTime(time, fields, field + ".time");
        }
        OptionalLong nodes = fields.optionalInteger(block, "nodes", field + ".nodes");
        if (nodes.isPresent() && (nodes.getAsLong() < 1 || nodes.getAsLong() > 100_000)) {
            throw fields.error(field + ".nodes", "must be between 1 and 100000, found " + nodes.getAsLong());
        }
        JsonNode gpusNode = block.get("gpus");
        String gpus = gpusNode != null && gpusNode.isIntegralNumber() ? gpusNode.asText()
                : word(block, "gpus", fields, field);
        List<String> extra = fields.optionalStringList(block, "extra", field + ".extra");
        for (int i = 0; i < extra.size(); i++) {
            String line = extra.get(i).strip();
            if (!EXTRA.matcher(line).matches()) {
                throw fields.error(field + ".extra[" + i + "]", "must be one sbatch option such as --mem=64G,"
                        + " found '" + line + "'");
            }
            String option = line.split("=", 2)[0];
            if (RESERVED.contains(option)) {
                throw fields.error(field + ".extra[" + i + "]", option + " is set by day0 and cannot be given here");
            }
            extra.set(i, line);
        }
        List<String> environment = fields.optionalStringList(block, "environment", field + ".environment");
        for (int i = 0; i < environment.size(); i++) {
            if (!ENV_NAME.matcher(environment.get(i)).matches()) {
                throw fields.error(field + ".environment[" + i + "]", "must be an environment variable NAME"
                        + " (the value is read from day0's environment, never written), found '"
                        + environment.get(i) + "'");
            }
        }
        return new SlurmOptions(word(block, "cluster", fields, field), word(block, "partition", fields, field),
                word(block, "account", fields, field), word(block, "qos", fields, field),
                nodes.isPresent() ? (int) nodes.getAsLong() : null, gpus, word(block, "gres", fields, field), time,
                word(block, "constraint", fields, field), extra, environment,
                word(block, "workdir", fields, field));
    }

    /** These options with account and partition from a cluster where the plan gave none. */
    public SlurmOptions withDefaults(ClusterSettings cluster) {
        return new SlurmOptions(this.cluster, partition != null ? partition : cluster.partition(),
                account != null ? account : cluster.account(), qos, nodes, gpus, gres, time, constraint, extra,
                environment, workdir != null ? workdir : cluster.workspace());
    }

    /**
     * A time limit Slurm reads as the user meant it: its form, each part in range, and a total of 1 minute to
     * {@link #MAX_TIME_MINUTES}. Slurm reads 0 as "no limit" and keeps limits in 32 bits of minutes, so a zero, a
     * stray digit or a value past that would not be the limit the plan seems to give.
     */
    private static void checkTime(String time, Fields fields, String field) {
        if (!TIME.matcher(time).matches()) {
            throw fields.error(field, "must be a Slurm time limit (minutes, HH:MM:SS or D-HH:MM:SS), found '"
                    + time + "'");
        }
        String[] dayAndClock = time.split("-", 2);
        boolean days = dayAndClock.length == 2;
        String[] clock = dayAndClock[days ? 1 : 0].split(":");
        if (dayAndClock[0].length() > 9 || clock[0].length() > 9) {
            throw fields.error(field, "is longer than any time limit (at most " + MAX_TIME_MINUTES
                    + " minutes, 365 days), found '" + time + "'");
        }
        long[] parts = new long[clock.length];
        for (int i = 0; i < clock.length; i++) {
            parts[i] = Long.parseLong(clock[i]);
        }
        // Slurm's forms as day, hour, minute and second.
        long d = 0;
        long h = 0;
        long m;
        long sec = 0;
        if (days) {
            // D-HH, D-HH:MM, D-HH:MM:SS
            d = Long.parseLong(dayAndClock[0]);
            h = parts[0];
            m = parts.length > 1 ? parts[1] : 0;
            sec = parts.length > 2 ? parts[2] : 0;
        } else if (parts.length == 1) {
            m = parts[0];
        } else if (parts.length == 2) {
            // MM:SS
            m = parts[0];
            sec = parts[1];
        } else {
            h = parts[0];
            m = parts[1];
            sec = parts[2];
        }
        boolean hours = days || parts.length == 3;
        if ((days && h > 23) || (hours && m > 59) || sec > 59) {
            throw fields.error(field, "has hours above 23 after a day count, or minutes or seconds above 59, found '"
                    + time + "'");
        }
        // Slurm rounds seconds up to the next minute.
        long minutes = d * 1440 + h * 60 + m + (sec > 0 ? 1 : 0);
        if (minutes < 1) {
            throw fields.error(field, "must be at least 1 minute (Slurm reads a zero limit as none; leave time out "
                    + "for the partition's default), found '" + time + "'");
        }
        if (minutes > MAX_TIME_MINUTES) {
            throw fields.error(field, "is longer than any time limit (at most " + MAX_TIME_MINUTES
                    + " minutes, 365 days), found '" + time + "'");
        }
    }

    private static String word(JsonNode block, String name, Fields fields, String field) {
        String value = fields.optionalString(block, name, field + "." + name);
        if (value == null) {
            return null;
        }
        if (!WORD.matcher(value).matches()) {
            throw fields.error(field + "." + name, "must be one word without spaces or quotes,"
                    + " found '" + value + "'");
        }
        return value;
    }
}
