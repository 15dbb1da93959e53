package dev.day0.release.ladder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.day0.io.FileDigest;
import dev.day0.io.Fields;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.release.ReleasePlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A recipe ladder: a release plan whose {@code candidates:} list replaces {@code recipe:}. Each candidate is
 * checked as a whole release plan when the file is read (the plan's root with the candidate's recipe, PTQ stage
 * and, when it has one, quantized eval stage), so a mistake in the last candidate stops the run before the first
 * one spends anything. docs/release.md documents the fields.
 *
 * @param file the plan file, absolute
 * @param dir its directory
 * @param name the plan's name (each candidate's run is named {@code <name>-<candidate>})
 * @param mode {@code first} or {@code frontier}
 * @param maxCandidates how many candidates, in order, may be tried
 * @param budgetCents the most the ladder may commit to GPU quotes, or null for no cap
 * @param candidates in the order given (smallest first)
 * @param sha256 of the plan's content but the budget: a resume refuses a changed ladder
 */
public record LadderPlan(Path file, Path dir, String name, Mode mode, int maxCandidates, Long budgetCents,
                         List<Candidate> candidates, ObjectNode root, String sha256) {
    public static final int MAX_CANDIDATES = 100;
    private static final Set<String> CANDIDATE_FIELDS = Set.of("name", "recipe", "ptq", "quantized_eval",
            "threshold");
    private static final Set<String> LADDER_FIELDS = Set.of("mode", "max_candidates", "budget_cents");

    /** How the ladder chooses: the first candidate that ACCEPTs, or the smallest of all that ACCEPT. */
    public enum Mode {
        FIRST, FRONTIER;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One rung: its name (unique, names its work directory), recipe and its own stage blocks. */
    public record Candidate(int index, String name, String recipe, ObjectNode ptq, ObjectNode quantizedEval,
                            JsonNode threshold) {
        /** The candidate's work directory inside the ladder's. */
        public Path workdir(Path ladderWorkdir) {
            return ladderWorkdir.resolve("candidates").resolve(index + "-" + name);
        }
    }

    /** True when the plan file is a ladder (has {@code candidates} or {@code ladder}); any other plan is not. */
    public static boolean declares(Path file) {
        JsonNode doc = Json.readYaml(file);
        return doc.isObject() && (doc.has("candidates") || doc.has("ladder"));
    }

    public static LadderPlan load(Path file) {
        return fromTree(Json.readYaml(file), file);
    }

    static LadderPlan fromTree(JsonNode doc, Path file) {
        String source = file.toString();
        Fields fields = new Fields(source);
        ObjectNode root = fields.requireObject(doc, "").deepCopy();
        if (root.has("recipe")) {
            throw fields.error("recipe", "a plan with candidates gives each candidate its recipe "
                    + "(candidates[i].recipe); remove the top-level recipe");
        }
        ObjectNode stages = fields.requireObject(root.get("stages"), "stages");
        if (stages.has("ptq")) {
            throw fields.error("stages.ptq", "a plan with candidates gives each candidate its PTQ stage "
                    + "(candidates[i].ptq); remove stages.ptq");
        }
        JsonNode list = root.get("candidates");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw fields.error("candidates", "must be a list of 1 to " + MAX_CANDIDATES + " candidates "
                    + "({name, recipe, ptq, ...}), found " + Fields.describe(list));
        }
        if (list.size() > MAX_CANDIDATES) {
            throw fields.error("candidates", "has " + list.size() + " candidates; at most " + MAX_CANDIDATES);
        }
        ObjectNode ladder = root.has("ladder") && !root.get("ladder").isNull()
                ? fields.requireObject(root.get("ladder"), "ladder") : Json.object();
        onlyKnown(fields, ladder, "ladder", LADDER_FIELDS);
        String modeWord = fields.optionalString(ladder, "mode", "ladder.mode");
        Mode mode = modeWord == null ? Mode.FIRST : switch (modeWord) {
            case "first" -> Mode.FIRST;
            case "frontier" -> Mode.FRONTIER;
            default -> throw fields.error("ladder.mode", "must be first or frontier, found \"" + modeWord + "\"");
        };
        long max = fields.optionalInteger(ladder, "max_candidates", "ladder.max_candidates")
                .orElse(Math.min(list.size(), MAX_CANDIDATES));
        if (max < 1 || max > MAX_CANDIDATES) {
            throw fields.error("ladder.max_candidates", "must be between 1 and " + MAX_CANDIDATES + ", found "
                    + max);
        }
        Long budget = budget(fields, ladder);

        String name = fields.requireString(root, "name", "name");
        List<Candidate> candidates = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String field = "candidates[" + i + "]";
            ObjectNode node = fields.requireObject(list.get(i), field);
            onlyKnown(fields, node, field, CANDIDATE_FIELDS);
            String candidateName = fields.requireString(node, "name", field + ".name");
            if (!candidateName.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,39}")) {
                throw fields.error(field + ".name", "must be 1-40 letters, digits, '.', '_' or '-' (it names the "
                        + "candidate's work directory), found \"" + candidateName + "\"");
            }
            if (!names.add(candidateName)) {
                throw fields.error(field + ".name", "\"" + candidateName + "\" is the name of an earlier candidate");
            }
            String recipe = fields.requireString(node, "recipe", field + ".recipe");
            ObjectNode ptq = fields.requireObject(node.get("ptq"), field + ".ptq");
            ObjectNode quantized = node.has("quantized_eval") && !node.get("quantized_eval").isNull()
                    ? fields.requireObject(node.get("quantized_eval"), field + ".quantized_eval") : null;
            if (quantized == null && !stages.has("quantized_eval")) {
                throw fields.error(field + ".quantized_eval", "is missing and the plan has no stages.quantized_eval "
                        + "for candidates to share");
            }
            candidates.add(new Candidate(i, candidateName, recipe, ptq, quantized, node.get("threshold")));
        }
        Path absolute = file.toAbsolutePath().normalize();
        LadderPlan plan = new LadderPlan(absolute, absolute.getParent(), name, mode, (int) max, budget,
                List.copyOf(candidates), root, sha256(root));
        for (Candidate candidate : candidates) {
            plan.plan(candidate, null);
        }
        return plan;
    }

    private static Long budget(Fields fields, ObjectNode ladder) {
        JsonNode node = ladder.get("budget_cents");
        if (node == null || node.isNull()) {
            return null;
        }
        Long cents = Fields.wholeNumber(node);
        if (cents == null || cents < 0) {
            throw fields.error("ladder.budget_cents", "must be a whole number of cents, 0 or more, found "
                    + Fields.describe(node));
        }
        return cents;
    }

    private static void onlyKnown(Fields fields, ObjectNode node, String field, Set<String> known) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                throw fields.error(field + "." + name, "unknown field (known here: "
                        + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }

    /**
     * sha256 of the plan's content without {@code ladder.budget_cents}: raising the budget after the ladder stopped
     * on it is how a person lets it go on, so that one change does not refuse the resume.
     */
    private static String sha256(ObjectNode root) {
        ObjectNode copy = root.deepCopy();
        if (copy.get("ladder") instanceof ObjectNode ladder) {
            ladder.remove("budget_cents");
        }
        return FileDigest.sha256(Json.writeLine(copy).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * The release plan one candidate runs: the root without {@code candidates} and {@code ladder}, named
     * {@code <name>-<candidate>}, with the candidate's recipe and stages. When an earlier candidate's baseline
     * eval completed ({@code baselineWorkdir} is that candidate's work directory), the baseline eval becomes a
     * reuse of its evidence, noise samples too, so the baseline is run once for the whole ladder.
     */
    public ReleasePlan plan(Candidate candidate, Path baselineWorkdir) {
        ObjectNode tree = root.deepCopy();
        tree.remove("candidates");
        tree.remove("ladder");
        tree.put("name", name + "-" + candidate.name());
        tree.put("recipe", candidate.recipe());
        if (candidate.threshold() != null) {
            tree.set("threshold", candidate.threshold());
        }
        ObjectNode stages = (ObjectNode) tree.get("stages");
        ObjectNode ordered = Json.object();
        ordered.set("ptq", candidate.ptq());
        stages.fields().forEachRemaining(e -> ordered.set(e.getKey(), e.getValue()));
        if (candidate.quantizedEval() != null) {
            ordered.set("quantized_eval", candidate.quantizedEval());
        }
        tree.set("stages", ordered);
        if (baselineWorkdir != null) {
            reuseBaseline(tree, baselineWorkdir);
        }
        try {
            return ReleasePlan.fromTree(tree, file);
        } catch (InputException e) {
            String field = "candidates[" + candidate.index() + "] (" + candidate.name() + ")"
                    + (e.field() == null || e.field().isEmpty() ? "" : ": " + e.field());
            throw new InputException(file.toString(), field, e.problem(), e);
        }
    }

    private static void reuseBaseline(ObjectNode tree, Path from) {
        Path stageDir = from.resolve("stages").resolve("baseline_eval");
        ObjectNode stages = (ObjectNode) tree.get("stages");
        JsonNode baseline = stages.get("baseline_eval");
        if (baseline == null || !baseline.isObject() || baseline.has("reuse")) {
            // An MLflow lookup spends nothing: each candidate makes its own and gets the same baseline.
            return;
        }
        ObjectNode reuse = Json.object();
        reuse.put("runner", "reuse");
        JsonNode evidence = baseline.get("evidence");
        if (evidence != null) {
            reuse.set("evidence", pointAt(evidence, from, stageDir));
        }
        stages.set("baseline_eval", reuse);
        JsonNode noise = tree.get("noise");
        if (noise instanceof ObjectNode noiseNode) {
            for (String key : List.of("baseline_samples", "baseline_stderr")) {
                if (noiseNode.get(key) instanceof TextNode text) {
                    noiseNode.put(key, expand(text.textValue(), from, stageDir));
                }
            }
        }
        // The verbosity gate reads the baseline's run directories where the first candidate's eval wrote them.
        if (tree.get("verbosity") instanceof ObjectNode verbosity
                && verbosity.get("baseline") instanceof TextNode text) {
            verbosity.put("baseline", expand(text.textValue(), from, stageDir));
        }
    }

    private static JsonNode pointAt(JsonNode evidence, Path workdir, Path stageDir) {
        if (!(evidence instanceof ObjectNode object)) {
            return evidence;
        }
        ObjectNode copy = object.deepCopy();
        Map<String, String> rewritten = new LinkedHashMap<>();
        copy.fields().forEachRemaining(e -> {
            if (e.getValue().isTextual()) {
                rewritten.put(e.getKey(), expand(e.getValue().textValue(), workdir, stageDir));
            }
        });
        rewritten.forEach(copy::put);
        return copy;
    }

    private static String expand(String text, Path workdir, Path stageDir) {
        return text.replace("{stage_dir}", stageDir.toString()).replace("{workdir}", workdir.toString());
    }

    /** The candidates the ladder may try, in order: the first {@code max_candidates}. */
    public List<Candidate> tried() {
        return candidates.subList(0, Math.min(maxCandidates, candidates.size()));
    }

    /** The file of an --approve value: a missing one and a directory are told apart. */
    private static Path approvalFile(String value, int eq) {
        Path path = Path.of(value.substring(eq + 1));
        if (!Files.isRegularFile(path)) {
            throw new InputException(value.substring(eq + 1), "", (Files.isDirectory(path) ? "is a directory, "
                    + "not an approval file" : "file not found") + " (given with --approve " + value + ")");
        }
        return path;
    }

    /**
     * Parses {@code --approve CANDIDATE:STAGE=FILE} values: each approved sheet belongs to one stage of one
     * candidate, since one approval covers one submission.
     */
    public Map<String, Map<String, Path>> approvals(List<String> values) {
        Map<String, Map<String, Path>> approvals = new LinkedHashMap<>();
        for (String value : values) {
            int colon = value.indexOf(':');
            int eq = value.indexOf('=');
            if (isCandidateSheet(value)) {
                continue;
            }
            if (colon <= 0 || eq < colon + 2) {
                throw new InputException("--approve", "", "a ladder's approval is CANDIDATE:STAGE=FILE (one sheet "
                        + "for one stage of one candidate) or CANDIDATE=FILE (a candidate's sheet from day0 release "
                        + "approve), found \"" + value + "\"");
            }
            String candidateName = value.substring(0, colon);
            String stage = value.substring(colon + 1, eq);
            Candidate candidate = candidates.stream().filter(c -> c.name().equals(candidateName)).findFirst()
                    .orElseThrow(() -> new InputException("--approve", "", "no candidate named \"" + candidateName
                            + "\" (candidates: " + String.join(", ", candidates.stream().map(Candidate::name)
                            .toList()) + ")"));
            ReleasePlan plan = plan(candidate, null);
            boolean rockie = plan.workingStages().stream()
                    .anyMatch(s -> s.key().equals(stage) && s.runner() == ReleasePlan.Runner.ROCKIE);
            if (!rockie) {
                throw new InputException("--approve", "", stage + " is not a rockie stage of candidate "
                        + candidateName);
            }
            Path path = approvalFile(value, eq);
            if (approvals.computeIfAbsent(candidateName, k -> new LinkedHashMap<>()).put(stage, path) != null) {
                throw new InputException("--approve", "", "two approvals for " + candidateName + ":" + stage
                        + ": one approved term sheet covers one submission");
            }
        }
        return approvals;
    }

    /**
     * Parses {@code --approve CANDIDATE=FILE} values: a candidate's approval of all its jobs at once
     * ({@code day0 release approve}), at most one per candidate.
     */
    public Map<String, Path> candidateSheets(List<String> values) {
        Map<String, Path> sheets = new LinkedHashMap<>();
        for (String value : values) {
            if (!isCandidateSheet(value)) {
                continue;
            }
            int eq = value.indexOf('=');
            String candidateName = value.substring(0, eq);
            if (candidates.stream().noneMatch(c -> c.name().equals(candidateName))) {
                throw new InputException("--approve", "", "no candidate named \"" + candidateName + "\" (candidates: "
                        + String.join(", ", candidates.stream().map(Candidate::name).toList()) + "): a ladder's "
                        + "approval is CANDIDATE:STAGE=FILE or CANDIDATE=FILE, found \"" + value + "\"");
            }
            Path path = approvalFile(value, eq);
            if (sheets.put(candidateName, path) != null) {
                throw new InputException("--approve", "", "two approvals for candidate " + candidateName
                        + ": give one sheet per candidate");
            }
        }
        return sheets;
    }

    /** {@code CANDIDATE=FILE}: an equals sign with no colon before it. */
    private static boolean isCandidateSheet(String value) {
        int colon = value.indexOf(':');
        int eq = value.indexOf('=');
        return eq > 0 && (colon < 0 || colon > eq);
    }
}
