package dev.day0.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Stage;
import dev.day0.io.InputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which working stages a pipeline runs on another machine ({@code agent:} of a stage: a Jenkins agent label) and
 * the filesystem that makes it possible ({@code agents.shared_dir}). A stage on another agent reads the plan and
 * the run's state and writes its outputs (checkpoints among them) into the same work directory, so that directory
 * and the plan must be on a filesystem both machines mount at the same path; moving the work directory between
 * agents instead would ship checkpoints through the controller. {@code release run} runs every stage on this
 * machine; {@code release step} names the label in its answer's {@code next.agent}.
 *
 * @param sharedDir the directory every agent the plan names mounts at this path (absolute, normalized)
 * @param labels    stage key to agent label, for the working stages that name one
 */
public record AgentPlan(Path sharedDir, Map<String, String> labels) {
    static final String FIELD = "agents";
    static final String SHARED_DIR = FIELD + ".shared_dir";
    private static final String LABEL = "[A-Za-z0-9_.:&|!() -]{1,200}";

    /** The plan's agents: null when neither an {@code agents} block nor a stage's {@code agent} is there. */
    static AgentPlan read(PlanReader r, ObjectNode root, ObjectNode stages, List<ReleasePlan.StageSpec> working) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (ReleasePlan.StageSpec spec : working) {
            String field = "stages." + spec.key() + ".agent";
            JsonNode node = stages.path(spec.key());
            String label = node.isObject() ? r.optionalString((ObjectNode) node, "agent", "stages." + spec.key())
                    : null;
            if (label == null) {
                continue;
            }
            if (!label.matches(LABEL) || label.isBlank()) {
                throw r.error(field, "must be a Jenkins agent label or label expression (letters, digits and "
                        + "_ . : & | ! ( ) - and blanks, at most 200), found \"" + label + "\"");
            }
            if (spec.runner() == ReleasePlan.Runner.ROCKIE || spec.runner() == ReleasePlan.Runner.REUSE) {
                throw r.error(field, "applies to local and slurm stages only: a " + spec.runner().word()
                        + " stage runs " + (spec.runner() == ReleasePlan.Runner.ROCKIE ? "on the Rockie platform"
                        : "nothing") + ", not on a Jenkins agent");
            }
            labels.put(spec.key(), label.trim());
        }
        JsonNode raw = root.get(FIELD);
        if (raw == null || raw.isNull()) {
            if (!labels.isEmpty()) {
                String first = labels.keySet().iterator().next();
                throw r.error("stages." + first + ".agent", "runs the stage on another Jenkins agent, which must "
                        + "read and write this run's work directory: declare the filesystem both agents share in "
                        + SHARED_DIR);
            }
            return null;
        }
        ObjectNode node = r.object(raw, FIELD);
        r.onlyKnown(node, FIELD, Set.of("shared_dir"));
        String dir = r.requireString(node, "shared_dir", FIELD);
        Path shared = Path.of(dir);
        if (!shared.isAbsolute() || dir.contains("{")) {
            throw r.error(SHARED_DIR, "must be an absolute path, the same on every agent (the mount point of the "
                    + "shared filesystem or a directory in it), found \"" + dir + "\"");
        }
        return new AgentPlan(shared.normalize(), Map.copyOf(labels));
    }

    /** The agent label of a stage, or null when it runs where the pipeline's other calls run. */
    public String label(Stage stage) {
        return stage == null ? null : labels.get(stage.key());
    }

    /**
     * Refuses a run whose plan or work directory is not in the shared directory, or a shared directory this
     * machine does not have: another agent would not find the run's state, plan or evidence.
     */
    public void requireShared(Path planFile, Path workdir) {
        String source = planFile.toString();
        if (!Files.isDirectory(sharedDir)) {
            throw new InputException(source, SHARED_DIR, sharedDir + " is not a directory on this machine: mount "
                    + "the filesystem the plan's agents share there");
        }
        Path work = workdir.toAbsolutePath().normalize();
        if (!work.startsWith(sharedDir)) {
            throw new InputException(source, SHARED_DIR, "the work directory " + work + " is not inside "
                    + sharedDir + ": a stage on another agent could not read the run's state; give a --workdir "
                    + "in it");
        }
        if (!planFile.toAbsolutePath().normalize().startsWith(sharedDir)) {
            throw new InputException(source, SHARED_DIR, "the plan is not inside " + sharedDir + ": a stage on "
                    + "another agent could not read it and the files it names; keep the plan in the shared "
                    + "directory");
        }
    }
}
