package dev.day0.release.ladder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.io.RedactingWriter;
import dev.day0.redact.Redactor;
import dev.day0.release.StageContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ladder.json}: which candidates started, which baseline each reused, what each committed to GPU quotes and
 * how each ended. It records where the ladder is, never a judgement a resume would trust: each started candidate's
 * Conductor judges its own recorded evidence again.
 */
final class LadderState {
    static final String SCHEMA = "day0.release-ladder/1";
    static final String FILE = "ladder.json";
    /** Where the jobs of a candidate's approval (--approve CANDIDATE=FILE) are unpacked, one sheet per stage. */
    static final String APPROVALS = "approvals";
    /** What a ladder run writes at the top of its work directory; a new run replaces them. */
    static final List<String> OWN = List.of("candidates", APPROVALS, FILE, "decision.json", "report.md", "report.html",
            "junit.xml", "frontier.svg");

    private final Path file;
    private final ObjectNode root;
    private final Redactor redactor;

    private LadderState(Path file, ObjectNode root, Redactor redactor) {
        this.file = file;
        this.root = root;
        this.redactor = redactor;
    }

    static LadderState open(Path workdir, LadderPlan plan, boolean resume, String toolVersion, Redactor redactor) {
        Path file = workdir.resolve(FILE);
        boolean exists = Files.isRegularFile(file);
        if (resume) {
            if (!exists) {
                throw new InputException(file.toString(), "", "no ladder run to resume here (run without --resume "
                        + "to start one)");
            }
            ObjectNode loaded = load(file);
            String sha = loaded.path("plan").path("sha256").asText();
            if (!sha.equals(plan.sha256())) {
                throw new InputException(plan.file().toString(), "", "changed since the ladder in " + workdir
                        + " started: resuming would mix two plans; restore the plan, or start a new run with "
                        + "another --workdir");
            }
            return new LadderState(file, loaded, redactor);
        }
        if (exists) {
            ObjectNode existing = load(file);
            if (!"finished".equals(existing.path("status").asText())) {
                throw new InputException(file.toString(), "", "an unfinished ladder is here (status "
                        + existing.path("status").asText() + "): continue it with --resume, or choose another "
                        + "--workdir");
            }
            for (String name : OWN) {
                StageContext.deleteTree(workdir.resolve(name));
            }
        } else if (Files.exists(workdir.resolve("candidates"))) {
            throw new InputException(workdir.toString(), "", "holds candidates/ but no ladder.json: not a day0 "
                    + "ladder directory; choose a new or empty --workdir");
        }
        StageContext.createDirectories(workdir);
        ObjectNode root = Json.object();
        root.put("schema", SCHEMA);
        root.put("tool_version", toolVersion);
        ObjectNode planNode = root.putObject("plan");
        planNode.put("name", plan.name());
        planNode.put("path", plan.file().toString());
        planNode.put("sha256", plan.sha256());
        root.put("mode", plan.mode().word());
        root.put("max_candidates", plan.maxCandidates());
        if (plan.budgetCents() == null) {
            root.putNull("budget_cents");
        } else {
            root.put("budget_cents", plan.budgetCents());
        }
        root.put("created_at", Instant.now().toString());
        ArrayNode candidates = root.putArray("candidates");
        for (LadderPlan.Candidate candidate : plan.candidates()) {
            ObjectNode entry = candidates.addObject();
            entry.put("index", candidate.index());
            entry.put("name", candidate.name());
            entry.put("recipe", candidate.recipe());
            entry.put("workdir", candidate.workdir(workdir).toString());
            entry.put("started", false);
        }
        return new LadderState(file, root, redactor);
    }

    private static ObjectNode load(Path file) {
        JsonNode node = Json.read(file);
        if (!node.isObject() || !SCHEMA.equals(node.path("schema").asText()) || !node.path("candidates").isArray()) {
            throw new InputException(file.toString(), "schema", "is not " + SCHEMA + ": not a day0 ladder state");
        }
        return (ObjectNode) node;
    }

    Path file() {
        return file;
    }

    String status() {
        return root.path("status").asText();
    }

    void status(String status) {
        root.put("status", status);
    }

    /** The candidate's entry; its name must be the one recorded, or the state belongs to another ladder. */
    ObjectNode entry(LadderPlan.Candidate candidate) {
        JsonNode entry = root.path("candidates").path(candidate.index());
        if (!(entry instanceof ObjectNode object) || !candidate.name().equals(object.path("name").asText())) {
            throw new InputException(file.toString(), "candidates[" + candidate.index() + "]", "does not record "
                    + "candidate " + candidate.name() + ": this ladder state belongs to another plan");
        }
        return object;
    }

    List<ObjectNode> entries() {
        List<ObjectNode> entries = new ArrayList<>();
        root.path("candidates").forEach(entry -> entries.add((ObjectNode) entry));
        return entries;
    }

    void decision(ObjectNode decision) {
        root.set("decision", decision);
    }

    void save() {
        root.put("updated_at", Instant.now().toString());
        new RedactingWriter(redactor).json(file, root);
    }
}
