package dev.day0.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.FileDigest;
import dev.day0.io.Json;
import dev.day0.core.Decision;
import dev.day0.core.FailureClass;
import dev.day0.triage.TriageTable;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The audit record of one decision: which engine made it, from exactly which files (by sha256), what every gate
 * said, and what follows for publishing. {@code decision.json} is this record; report.md and junit.xml are views
 * of it.
 *
 * <p>The decision is derived, never supplied: the first failed gate in chain order decides (through the triage
 * table, with no options left), else the compare gate's decision; a chain without a compare result cannot ACCEPT.
 */
public final class DecisionRecord {
    public static final String SCHEMA = "day0.decision/1";

    private final String toolVersion;
    private final List<Input> inputs = new ArrayList<>();
    private final List<Stage> stages = new ArrayList<>();
    private Instant createdAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private JsonNode checkpointFingerprint;

    /** One gate result in the chain: its stage name (e.g. {@code baseline-eval}) and the gate's JSON. */
    public record Stage(String name, String gate, JsonNode result) {
    }

    /** One input file with its digest. */
    public record Input(String role, String path, String sha256) {
    }

    public DecisionRecord(String toolVersion) {
        this.toolVersion = toolVersion;
    }

    public DecisionRecord createdAt(Instant instant) {
        this.createdAt = instant;
        return this;
    }

    /** Records an input file and its sha256 (read now, so the record names the bytes the gate saw). */
    public DecisionRecord input(String role, Path file) {
        inputs.add(new Input(role, file.toString(), FileDigest.sha256(file)));
        return this;
    }

    /**
     * The fingerprint of the checkpoint the chain evaluated ({@code day0.checkpoint-fingerprint/2}), so that
     * {@code day0 publish} can refuse any other directory; null when the chain has no checkpoint directory.
     */
    public DecisionRecord checkpointFingerprint(JsonNode fingerprint) {
        this.checkpointFingerprint = fingerprint;
        return this;
    }

    public DecisionRecord stage(String name, String gate, JsonNode result) {
        stages.add(new Stage(name, gate, result));
        return this;
    }

    public List<Stage> stages() {
        return List.copyOf(stages);
    }

    public List<Input> inputs() {
        return List.copyOf(inputs);
    }

    /** The decision, the failure class that led to it (or null) and the detail that explains it. */
    public Outcome outcome() {
        Stage compare = null;
        Stage failedVerbosity = null;
        for (Stage stage : stages) {
            boolean pass = stage.result().path("pass").asBoolean(false);
            if ("compare".equals(stage.gate())) {
                compare = stage;
                continue;
            }
            if (!pass && "verbosity".equals(stage.gate())) {
                // Verbosity is judged after compare: a compare that did not ACCEPT (an ANOMALOUS comparison, a
                // regression) says more than answers that grew longer, so it decides first.
                failedVerbosity = failedVerbosity == null ? stage : failedVerbosity;
                continue;
            }
            if (!pass) {
                return failed(stage);
            }
        }
        if (compare == null) {
            return failedVerbosity != null ? failed(failedVerbosity) : new Outcome(Decision.NEEDS_HUMAN, null,
                    "no compare result: the chain did not reach a comparison, so nothing can be accepted");
        }
        JsonNode result = compare.result();
        Decision decision;
        try {
            decision = Decision.valueOf(result.path("decision").asText(""));
        } catch (IllegalArgumentException e) {
            decision = Decision.ANOMALOUS;
        }
        if (decision == Decision.ACCEPT && !result.path("pass").asBoolean(false)) {
            decision = Decision.ANOMALOUS;
        }
        if (decision == Decision.ACCEPT && failedVerbosity != null) {
            return failed(failedVerbosity);
        }
        FailureClass failureClass = FailureClass.parse(result.path("failure_class").asText(null)).orElse(null);
        return new Outcome(decision, failureClass, compare.name() + ": " + result.path("detail").asText(""));
    }

    private static Outcome failed(Stage stage) {
        FailureClass failureClass = FailureClass.parse(stage.result().path("failure_class").asText(null))
                .orElse(FailureClass.UNKNOWN);
        return new Outcome(TriageTable.finalDecision(failureClass), failureClass,
                stage.name() + ": " + stage.result().path("detail").asText(""));
    }

    /** The decision with what led to it. */
    public record Outcome(Decision decision, FailureClass failureClass, String detail) {
    }

    public ObjectNode toJson() {
        Outcome outcome = outcome();
        ObjectNode json = Json.object();
        json.put("schema", SCHEMA);
        ObjectNode tool = json.putObject("tool");
        tool.put("name", "day0");
        tool.put("version", toolVersion);
        json.put("created_at", createdAt.toString());
        json.put("decision", outcome.decision().name());
        json.put("publish_recommendation", outcome.decision().publishRecommendation());
        json.put("failure_class", outcome.failureClass() == null ? null : outcome.failureClass().name());
        json.put("detail", outcome.detail());
        ArrayNode inputList = json.putArray("inputs");
        for (Input input : inputs) {
            ObjectNode item = inputList.addObject();
            item.put("role", input.role());
            item.put("path", input.path());
            item.put("sha256", input.sha256());
        }
        ArrayNode gates = json.putArray("gates");
        for (Stage stage : stages) {
            ObjectNode item = gates.addObject();
            item.put("stage", stage.name());
            item.put("gate", stage.gate());
            item.set("result", stage.result());
        }
        if (checkpointFingerprint != null) {
            json.set(dev.day0.publish.PublishGuard.FINGERPRINT_FIELD, checkpointFingerprint);
        }
        json.set("size", size());
        json.set("tasks", tasks());
        return json;
    }

    /** Source and output size from the PTQ gate, or null when the chain has none. */
    private JsonNode size() {
        for (Stage stage : stages) {
            if ("ptq".equals(stage.gate())) {
                JsonNode size = stage.result().path("checks").path("size");
                ObjectNode json = Json.object();
                for (String field : List.of("source_bytes", "output_bytes", "ratio")) {
                    json.set(field, size.get(field));
                }
                return json;
            }
        }
        return null;
    }

    /** Per-task rows from the compare gate: baseline, candidate, delta and whether it is within the limit. */
    private ArrayNode tasks() {
        ArrayNode rows = Json.array();
        for (Stage stage : stages) {
            if (!"compare".equals(stage.gate())) {
                continue;
            }
            JsonNode threshold = stage.result().get("threshold");
            Iterator<Map.Entry<String, JsonNode>> it = stage.result().path("per_task").fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> entry = it.next();
                JsonNode task = entry.getValue();
                ObjectNode row = rows.addObject();
                row.put("task", entry.getKey());
                row.set("baseline", task.get("baseline"));
                row.set("candidate", task.get("candidate"));
                // drop is "how much worse"; for a lower-is-better task that is candidate - baseline already.
                boolean lowerIsBetter = "lower".equals(task.path("direction").asText());
                row.set("delta", task.has("drop") ? Json.decimal(lowerIsBetter
                        ? task.get("drop").decimalValue() : task.get("drop").decimalValue().negate()) : null);
                row.set("drop_fraction", task.get("drop_fraction"));
                row.set("limit", task.has("limit") ? task.get("limit") : threshold);
                row.put("within", task.path("within_threshold").asBoolean(false));
                if (task.has("anomaly")) {
                    row.set("anomaly", task.get("anomaly"));
                }
                for (String extra : List.of("verdict", "interval", "flips", "tier", "blocking", "direction", "method",
                        "n", "detectable_drop", "evidence_needed", "sample_accounting")) {
                    if (task.has(extra)) {
                        row.set(extra, task.get(extra));
                    }
                }
            }
        }
        return rows;
    }
}
