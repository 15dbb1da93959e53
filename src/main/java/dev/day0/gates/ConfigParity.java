package dev.day0.gates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.core.Decision;
import dev.day0.core.FailureClass;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Config parity: the candidate's evaluation must differ from the baseline's in nothing but which checkpoint was
 * served. Reads the flattened {@code "config": {"dotted.key": scalar}} map that {@code inspect eval --run-summary}
 * records (lm-eval {@code configs}, {@code gen_kwargs}, {@code n-shot}, model args, {@code chat_template_sha},
 * {@code task_hashes}; NeMo Evaluator {@code config.yml}). Upstream saw a parallelism change between the two sides
 * worth ~2 points, enough to invert the sign of a delta, so any other difference makes the comparison ANOMALOUS.
 */
public final class ConfigParity {
    /**
     * Last key segments that name the model being evaluated and so must differ: the checkpoint path, the served
     * model name (and the endpoint's model id, which is that name), lm-eval's {@code pretrained=} model arg, and the
     * run's own output directory.
     */
    static final Set<String> IDENTITY_KEYS = Set.of("checkpoint_path", "served_model_name", "pretrained",
            "model_id", "model_path", "output_dir");

    /** A request timeout at or above a day is no timeout: a transient stall then holds the GPUs to the wall clock. */
    static final BigDecimal UNBOUNDED_TIMEOUT_SECONDS = BigDecimal.valueOf(86_400);

    /** One key whose values differ; a side without the key has a null value. */
    public record Difference(String key, JsonNode baseline, JsonNode candidate) {
        String describe() {
            return key + " (baseline " + render(baseline) + ", candidate " + render(candidate) + ")";
        }

        private static String render(JsonNode value) {
            return value == null ? "absent" : value.toString();
        }
    }

    /** The outcome: matching when {@link #differences()} is empty; {@code flags} are warnings that do not fail. */
    public record Report(String baselineSource, String candidateSource, List<Difference> differences,
                         List<String> ignoredKeys, List<String> flags) {
        public boolean matches() {
            return differences.isEmpty();
        }

        public ObjectNode toJson() {
            ObjectNode json = Json.object();
            json.put("matches", matches());
            json.put("baseline_source", baselineSource);
            json.put("candidate_source", candidateSource);
            ArrayNode list = json.putArray("differences");
            for (Difference difference : differences) {
                ObjectNode item = list.addObject();
                item.put("key", difference.key());
                item.set("baseline", difference.baseline());
                item.set("candidate", difference.candidate());
            }
            ArrayNode ignored = json.putArray("ignored_keys");
            ignoredKeys.forEach(ignored::add);
            ArrayNode flagList = json.putArray("flags");
            flags.forEach(flagList::add);
            return json;
        }

        /**
         * The compare gate's result with this parity check applied: a mismatch overrides it (the scores were not
         * measured under the same conditions, so neither ACCEPT nor REGRESSION can be concluded); the parity report
         * joins the JSON either way.
         */
        public GateResult applyTo(GateResult compare) {
            ObjectNode body = (ObjectNode) compare.body();
            body.set("config_parity", toJson());
            if (matches()) {
                return new GateResult(compare.gate(), compare.pass(), compare.decision(), compare.failureClass(),
                        compare.detail(), body);
            }
            ObjectNode without = body.putObject("decision_without_parity");
            without.put("decision", compare.decision() == null ? null : compare.decision().name());
            without.put("failure_class", compare.failureClass() == null ? null : compare.failureClass().name());
            without.put("detail", compare.detail());
            List<String> described = differences.stream().map(Difference::describe).toList();
            return new GateResult(compare.gate(), false, Decision.ANOMALOUS, FailureClass.CONFIG_MISMATCH,
                    "baseline and candidate were evaluated with different configuration in " + differences.size()
                            + " key(s): " + String.join("; ", described), body);
        }
    }

    private ConfigParity() {
    }

    /**
     * Diffs two run summaries' {@code config} maps.
     *
     * @throws InputException when a summary has no {@code config} object or a value is not a scalar
     */
    public static Report compare(JsonNode baselineRun, String baselineFile, JsonNode candidateRun,
                                 String candidateFile) {
        Map<String, JsonNode> baseline = config(baselineRun, baselineFile);
        Map<String, JsonNode> candidate = config(candidateRun, candidateFile);
        Set<String> keys = new TreeSet<>(baseline.keySet());
        keys.addAll(candidate.keySet());
        List<Difference> differences = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        List<String> flags = new ArrayList<>();
        for (String key : keys) {
            JsonNode base = baseline.get(key);
            JsonNode cand = candidate.get(key);
            if (isIdentity(key)) {
                ignored.add(key);
                continue;
            }
            if (!sameValue(base, cand)) {
                differences.add(new Difference(key, base, cand));
            }
            if (isTimeout(key)) {
                flagUnbounded("baseline", key, base, flags);
                flagUnbounded("candidate", key, cand, flags);
            }
        }
        flags.sort(null);
        return new Report(source(baselineRun), source(candidateRun), differences, ignored, flags);
    }

    private static void flagUnbounded(String side, String key, JsonNode value, List<String> flags) {
        if (value != null && unbounded(value)) {
            flags.add(side + " " + key + " = " + value + " is an unbounded request timeout: a stalled request "
                    + "holds the GPUs until the wall clock ends the job");
        }
    }

    private static Map<String, JsonNode> config(JsonNode run, String file) {
        JsonNode config = run == null ? null : run.get("config");
        if (config == null || !config.isObject()) {
            throw new InputException(file, "config", "missing: the run summary records no configuration to "
                    + "compare (write it with 'day0 inspect eval --run-summary')");
        }
        Map<String, JsonNode> values = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = config.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (entry.getValue().isContainerNode()) {
                throw new InputException(file, "config." + entry.getKey(), "must be a scalar (the map is "
                        + "flattened to dotted keys), got " + entry.getValue().getNodeType().name()
                        .toLowerCase(Locale.ROOT));
            }
            values.put(entry.getKey(), entry.getValue());
        }
        return values;
    }

    private static String source(JsonNode run) {
        JsonNode source = run.get("config_source");
        return source == null || source.isNull() ? null : source.asText();
    }

    static boolean isIdentity(String key) {
        String last = key.substring(key.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return IDENTITY_KEYS.contains(last);
    }

    private static boolean isTimeout(String key) {
        String last = key.substring(key.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return last.contains("timeout");
    }

    private static boolean unbounded(JsonNode value) {
        if (value.isNumber()) {
            if (!Double.isFinite(value.asDouble())) {
                return true;
            }
            return value.decimalValue().compareTo(UNBOUNDED_TIMEOUT_SECONDS) >= 0;
        }
        if (value.isTextual()) {
            String text = value.asText().trim().toLowerCase(Locale.ROOT);
            if (text.equals("inf") || text.equals("infinity")) {
                return true;
            }
            try {
                return new BigDecimal(text).compareTo(UNBOUNDED_TIMEOUT_SECONDS) >= 0;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return false;
    }

    /** Equal scalars; numbers by value, so a YAML {@code 1} and a JSON {@code 1.0} are the same setting. */
    private static boolean sameValue(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.isNumber() && b.isNumber() && Double.isFinite(a.asDouble()) && Double.isFinite(b.asDouble())) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }
}
