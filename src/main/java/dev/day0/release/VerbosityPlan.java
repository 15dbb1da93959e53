package dev.day0.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.gates.VerbosityGate;
import java.util.Set;

/**
 * The verbosity gate's settings ({@code verbosity:} in a plan): where each eval's run directories are (the trees
 * holding {@code <run>/.../artifacts/eval_factory_metrics.json}) and the rule of {@code day0 gate verbosity}. A
 * plan with this block runs the {@code verbosity} stage after compare, and ACCEPT needs both.
 *
 * @param baseline the baseline eval's run directories; {@code {stage_dir}} is baseline_eval's directory
 * @param candidate the quantized eval's; {@code {stage_dir}} is quantized_eval's directory
 */
public record VerbosityPlan(PathTemplate baseline, PathTemplate candidate, double threshold, String glob,
                            String exclude) {
    static final String FIELD = "verbosity";

    /** The plan's verbosity block, or null when it has none. */
    static VerbosityPlan read(PlanReader r, ObjectNode root) {
        JsonNode raw = root.get(FIELD);
        if (raw == null || raw.isNull()) {
            return null;
        }
        ObjectNode node = r.object(raw, FIELD);
        r.onlyKnown(node, FIELD, Set.of("baseline", "candidate", "threshold", "glob", "exclude"));
        double threshold = r.optionalNumber(node, "threshold", FIELD).orElse(VerbosityGate.DEFAULT_THRESHOLD);
        if (!Double.isFinite(threshold) || threshold < 0 || threshold > 10) {
            throw r.error(FIELD + ".threshold", "must be a fraction of the baseline's mean length from 0 to 10, "
                    + "found " + threshold);
        }
        String glob = r.optionalString(node, "glob", FIELD);
        if (glob != null && (glob.isEmpty() || glob.contains("/") || glob.contains("\\"))) {
            throw r.error(FIELD + ".glob", "must be a pattern for one run-directory name (no path separator), "
                    + "found \"" + glob + "\"");
        }
        String exclude = node.has("exclude") && node.get("exclude").isNull() ? ""
                : r.optionalString(node, "exclude", FIELD);
        return new VerbosityPlan(r.requirePath(node, "baseline", FIELD), r.requirePath(node, "candidate", FIELD),
                threshold, glob == null ? VerbosityGate.DEFAULT_GLOB : glob,
                exclude == null ? VerbosityGate.DEFAULT_EXCLUDE : exclude);
    }
}
