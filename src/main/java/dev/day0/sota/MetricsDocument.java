package dev.day0.sota;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Fields;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.nio.file.Path;

/**
 * A metrics.json as a run wrote it. Reading it never fails: a missing, empty or unparseable file is a fact about
 * the run (it cannot be judged), not a mistake on the command line, so it is kept as a {@link Problem}.
 *
 * <p>Format: a JSON object. When it has a {@code metrics} object, metrics are looked up there, else at the top
 * level, by name; a claimed metric with a {@code pointer} is looked up by that JSON Pointer instead (for files such
 * as lm-evaluation-harness results, {@code /results/gsm8k/exact_match,strict-match}).
 */
public final class MetricsDocument {
    /** Why a file or a value cannot be used. */
    public enum ProblemKind {
        /** The file is absent or has no bytes. */
        MISSING,
        /** The file is there but is not a JSON object holding metrics. */
        UNREADABLE,
        /** The file is fine but the metric is not in it. */
        METRIC_MISSING,
        /** The value is a string, a boolean, null, a list or an object. */
        NOT_A_NUMBER,
        /** NaN or an infinity. */
        NON_FINITE,
        /** The value looks like the claim on another scale (0.935 against 93.5). */
        SCALE_MISMATCH
    }

    /** A problem and the sentence that explains it. */
    public record Problem(ProblemKind kind, String detail) {
    }

    /** A value, or the problem that stands in its place. */
    public record Reading(Double value, Problem problem) {
        public boolean usable() {
            return problem == null;
        }
    }

    private final String source;
    private final JsonNode root;
    private final Problem problem;

    private MetricsDocument(String source, JsonNode root, Problem problem) {
        this.source = source;
        this.root = root;
        this.problem = problem;
    }

    public static MetricsDocument load(Path file) {
        String source = file.toString();
        JsonNode root;
        try {
            root = Json.read(file);
        } catch (InputException e) {
            String problem = e.problem();
            boolean absent = problem.startsWith("file not found") || problem.startsWith("is empty");
            return new MetricsDocument(source, null, new Problem(absent ? ProblemKind.MISSING
                    : ProblemKind.UNREADABLE, source + ": " + problem));
        }
        if (!root.isObject()) {
            return new MetricsDocument(source, null, new Problem(ProblemKind.UNREADABLE, source
                    + ": is " + Fields.describe(root) + ", expected a JSON object of metrics"));
        }
        if (container(root).isEmpty()) {
            return new MetricsDocument(source, null, new Problem(ProblemKind.UNREADABLE, source
                    + ": holds no metrics (an empty object)"));
        }
        return new MetricsDocument(source, root, null);
    }

    private static JsonNode container(JsonNode root) {
        JsonNode metrics = root.get("metrics");
        return metrics != null && metrics.isObject() ? metrics : root;
    }

    public String source() {
        return source;
    }

    /** The problem with the file as a whole, or null when it is a usable object of metrics. */
    public Problem problem() {
        return problem;
    }

    public boolean usable() {
        return problem == null;
    }

    /** Reads a metric by its claimed name or pointer. */
    public Reading read(String name, String pointer) {
        if (problem != null) {
            return new Reading(null, problem);
        }
        JsonNode node;
        String where;
        if (pointer != null) {
            node = root.at(JsonPointer.compile(pointer));
            where = "pointer " + pointer;
        } else {
            node = container(root).get(name);
            where = root.get("metrics") != null && root.get("metrics").isObject() ? "metrics." + name : name;
        }
        if (node == null || node.isMissingNode()) {
            return new Reading(null, new Problem(ProblemKind.METRIC_MISSING, source + ": " + where
                    + ": is not there"));
        }
        if (!node.isNumber()) {
            return new Reading(null, new Problem(ProblemKind.NOT_A_NUMBER, source + ": " + where + ": is "
                    + Fields.describe(node) + ", not a number"));
        }
        Double value = Fields.finiteNumber(node);
        if (value == null) {
            return new Reading(null, new Problem(ProblemKind.NON_FINITE, source + ": " + where + ": is "
                    + node.asText() + ", not a finite number"));
        }
        return new Reading(value, null);
    }
}
