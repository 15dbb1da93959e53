package dev.day0.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Stage;
import dev.day0.io.Fields;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.io.RedactingWriter;
import dev.day0.redact.Redactor;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code state.json}: where a run is. Written atomically (temp file, fsync, rename) after every stage, so a run
 * killed at any moment resumes from the last stage that completed and never repeats one.
 *
 * <p>Each stage has a status (pending, running, completed, failed, skipped), the number of times it ran
 * ({@code runs}), the attempts counted against its current retry budget ({@code tries}), its result and the
 * evidence files it produced. The run has a status: running, stopped (a failure to produce evidence, or a missing
 * approval: {@code --resume} tries again) or finished (a decision from the evidence: final).
 */
public final class ReleaseState {
    public static final String SCHEMA = "day0.release-state/1";
    public static final String FILE = "state.json";

    public enum Status { RUNNING, STOPPED, FINISHED }

    public enum StageStatus { PENDING, RUNNING, COMPLETED, FAILED, SKIPPED }

    private final Path file;
    private final ObjectNode root;

    private ReleaseState(Path file, ObjectNode root) {
        this.file = file;
        this.root = root;
    }

    public static Path fileIn(Path workdir) {
        return workdir.resolve(FILE);
    }

    /** A new state for a plan, every stage pending. */
    public static ReleaseState create(Path workdir, ReleasePlan plan, String toolVersion) {
        ObjectNode root = Json.object();
        root.put("schema", SCHEMA);
        root.put("tool_version", toolVersion);
        ObjectNode planNode = root.putObject("plan");
        planNode.put("name", plan.name());
        planNode.put("path", plan.file().toString());
        planNode.put("sha256", plan.sha256());
        root.put("workdir", workdir.toAbsolutePath().normalize().toString());
        root.put("status", "running");
        String now = now();
        root.put("created_at", now);
        root.put("updated_at", now);
        ObjectNode stages = root.putObject("stages");
        for (Stage stage : Stage.chain()) {
            ObjectNode node = stages.putObject(stage.key());
            node.put("status", "pending");
            node.put("runs", 0);
            node.put("tries", 0);
        }
        root.putNull("decision");
        return new ReleaseState(fileIn(workdir), root);
    }

    /** Reads the state of a run; a file that is not a day0 state is an input error naming it. */
    public static ReleaseState load(Path workdir) {
        Path file = fileIn(workdir);
        JsonNode doc = Json.read(file);
        Fields fields = new Fields(file.toString());
        ObjectNode root = fields.requireObject(doc, "");
        if (!SCHEMA.equals(root.path("schema").asText())) {
            throw fields.error("schema", "is not " + SCHEMA + ": not a day0 release state");
        }
        fields.requireString(root, "status", "status");
        ObjectNode stages = fields.requireObject(root.get("stages"), "stages");
        for (Stage stage : Stage.chain()) {
            if (stages.get(stage.key()) == null) {
                // A state from a day0 that had no such stage yet (canary and verbosity came later): resuming it
                // would run a chain its recorded stages were never part of.
                throw fields.error("stages." + stage, "is missing: this state was written by day0 "
                        + root.path("tool_version").asText("of an unknown version") + ", which did not know the "
                        + stage + " stage; finish the run with that version, or start it again in a new work "
                        + "directory");
            }
            ObjectNode node = fields.requireObject(stages.get(stage.key()), "stages." + stage);
            String status = fields.requireString(node, "status", "stages." + stage + ".status");
            try {
                StageStatus.valueOf(status.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw fields.error("stages." + stage + ".status", "unknown status \"" + status + "\"");
            }
        }
        fields.requireObject(root.get("plan"), "plan");
        fields.requireString(root.get("plan"), "sha256", "plan.sha256");
        return new ReleaseState(file, root);
    }

    public Path file() {
        return file;
    }

    public String planSha256() {
        return root.path("plan").path("sha256").asText();
    }

    public String planPath() {
        return root.path("plan").path("path").asText();
    }

    public Status status() {
        return Status.valueOf(root.path("status").asText("running").toUpperCase(java.util.Locale.ROOT));
    }

    public void status(Status status) {
        root.put("status", status.name().toLowerCase(java.util.Locale.ROOT));
    }

    public ObjectNode stage(Stage name) {
        return (ObjectNode) root.path("stages").get(name.key());
    }

    public StageStatus stageStatus(Stage name) {
        return StageStatus.valueOf(stage(name).path("status").asText().toUpperCase(java.util.Locale.ROOT));
    }

    public void stageStatus(Stage name, StageStatus status) {
        stage(name).put("status", status.name().toLowerCase(java.util.Locale.ROOT));
    }

    public int runs(Stage name) {
        return stage(name).path("runs").asInt(0);
    }

    public int tries(Stage name) {
        return stage(name).path("tries").asInt(0);
    }

    /** Marks a stage as running: one more run, one more try against its budget. */
    public void begin(Stage name) {
        ObjectNode node = stage(name);
        node.put("status", "running");
        node.put("runs", runs(name) + 1);
        node.put("tries", tries(name) + 1);
        node.put("started_at", now());
        node.remove("finished_at");
    }

    /** Ends a stage with a status and, when it has one, its result document. */
    public void end(Stage name, StageStatus status, JsonNode result, double elapsedSeconds) {
        ObjectNode node = stage(name);
        node.put("status", status.name().toLowerCase(java.util.Locale.ROOT));
        node.put("finished_at", now());
        node.put("elapsed_seconds", Math.round(elapsedSeconds * 10) / 10.0);
        if (result != null) {
            node.set("result", result);
        } else {
            node.remove("result");
        }
    }

    /** Keeps a failed attempt in the stage's history before it is retried. */
    public void remember(Stage name, JsonNode result) {
        ObjectNode node = stage(name);
        ArrayNode history = node.has("history") ? (ArrayNode) node.get("history") : node.putArray("history");
        ObjectNode entry = history.addObject();
        entry.put("run", runs(name));
        entry.put("at", now());
        entry.set("result", result);
    }

    public void resetTries(Stage name) {
        stage(name).put("tries", 0);
    }

    /** An evidence or output file a stage produced, by role. */
    public void output(Stage stage, String role, Path path) {
        ObjectNode node = stage(stage);
        ObjectNode outputs = node.has("outputs") ? (ObjectNode) node.get("outputs") : node.putObject("outputs");
        outputs.put(role, path.toString());
    }

    public Path output(Stage stage, String role) {
        JsonNode value = stage(stage).path("outputs").get(role);
        return value == null || !value.isTextual() ? null : Path.of(value.textValue());
    }

    public JsonNode result(Stage stage) {
        JsonNode result = stage(stage).get("result");
        return result == null || result.isNull() ? null : result;
    }

    public void note(Stage stage, String key, String value) {
        stage(stage).put(key, value);
    }

    public String note(Stage stage, String key) {
        JsonNode value = stage(stage).get(key);
        return value == null || !value.isTextual() ? null : value.textValue();
    }

    public void clearNote(Stage stage, String key) {
        stage(stage).remove(key);
    }

    public void decision(ObjectNode decision) {
        root.set("decision", decision);
    }

    public JsonNode decision() {
        JsonNode decision = root.get("decision");
        return decision == null || decision.isNull() ? null : decision;
    }

    /** The first stage (in chain order) that has not completed, or null when all have. */
    public Stage nextStage() {
        for (Stage stage : Stage.chain()) {
            StageStatus status = stageStatus(stage);
            if (status != StageStatus.COMPLETED && status != StageStatus.SKIPPED) {
                return stage;
            }
        }
        return null;
    }

    /** The last stage that completed, for messages. */
    public Stage lastCompleted() {
        Stage last = null;
        for (Stage stage : Stage.chain()) {
            if (stageStatus(stage) == StageStatus.COMPLETED) {
                last = stage;
            }
        }
        return last;
    }

    public List<Stage> stageNames() {
        return Stage.chain();
    }

    /**
     * Records the files a stage read and wrote, by sha256, so a resume can prove that the evidence it judges again
     * is the evidence the stage left.
     */
    public void evidence(Stage stage, Map<Path, String> inputs, Map<Path, String> outputs) {
        ObjectNode node = stage(stage).putObject("evidence");
        ObjectNode in = node.putObject("inputs");
        inputs.forEach((path, sha) -> in.put(path.toString(), sha));
        ObjectNode out = node.putObject("outputs");
        outputs.forEach((path, sha) -> out.put(path.toString(), sha));
    }

    /** Every recorded {file: sha256} of a stage, inputs first; empty when none were recorded. */
    public Map<Path, String> evidence(Stage stage) {
        Map<Path, String> digests = new LinkedHashMap<>(evidence(stage, true));
        digests.putAll(evidence(stage, false));
        return digests;
    }

    /** The recorded {file: sha256} a stage read ({@code inputs}) or wrote. */
    public Map<Path, String> evidence(Stage stage, boolean inputs) {
        Map<Path, String> digests = new LinkedHashMap<>();
        stage(stage).path("evidence").path(inputs ? "inputs" : "outputs").fields()
                .forEachRemaining(entry -> digests.put(Path.of(entry.getKey()), entry.getValue().asText("")));
        return digests;
    }

    /** Forgets a stage's recorded digests: it is about to read and write its files anew. */
    public void clearEvidence(Stage stage) {
        stage(stage).remove("evidence");
    }

    public boolean hasEvidence(Stage stage) {
        JsonNode node = stage(stage).get("evidence");
        return node != null && node.isObject();
    }

    /** Writes state.json atomically, through the redactor. */
    public void save(Redactor redactor) {
        root.put("updated_at", now());
        new RedactingWriter(redactor).json(file, root);
    }

    public ObjectNode toJson() {
        return root.deepCopy();
    }

    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    /** A state that exists but cannot be used here, as an input error. */
    static InputException refuse(Path workdir, String problem) {
        return new InputException(fileIn(workdir).toString(), "", problem);
    }
}
