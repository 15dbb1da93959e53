package dev.day0.sota;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Decimals;
import dev.day0.core.Direction;
import dev.day0.io.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The plan a person reads and approves before any GPU money is spent: what is reproduced (task, dataset, model),
 * how (the recipe), what counts as success (each claimed metric within its tolerance), what the job leaves behind,
 * and the risks, chiefly what the source leaves out.
 */
public final class ReproductionPlan {
    /** One risk: a stable id a pipeline can match on, and the sentence a person reads. */
    public record Risk(String id, String detail) {
    }

    private final SourceRef source;
    private final Claims claims;
    private final Recipe recipe;
    private final String script;

    public ReproductionPlan(SourceRef source, Claims claims, Recipe recipe, String script) {
        this.source = source;
        this.claims = claims;
        this.recipe = recipe;
        this.script = script;
    }

    public String script() {
        return script;
    }

    /** Everything the source or the recipe leaves open that can make a faithful run disagree with the claims. */
    public List<Risk> risks() {
        List<Risk> risks = new ArrayList<>();
        if (claims.seeds().isEmpty()) {
            risks.add(new Risk("no_seed", "the source states no seed: run-to-run variation is unknown, and the "
                    + "tolerance must absorb it"));
        }
        if (claims.datasetVersion() == null) {
            risks.add(new Risk("no_dataset_version", "the source states no version of dataset "
                    + claims.datasetName() + ": a later revision may score differently"));
        }
        if (claims.datasetSplit() == null) {
            risks.add(new Risk("no_dataset_split", "the source does not say which split of " + claims.datasetName()
                    + " the metrics are measured on"));
        }
        if (claims.hardware() == null) {
            risks.add(new Risk("no_hardware", "the source states no hardware: batch size, precision and wall-clock "
                    + "may differ from the original run"));
        }
        if (claims.hyperparameters() == null) {
            risks.add(new Risk("no_hyperparameters", "the source states no hyperparameters: the recipe's values are "
                    + "a guess to be confirmed against the source's code"));
        }
        if (claims.modelCheckpoint() == null) {
            risks.add(new Risk("no_model_checkpoint", "no checkpoint or revision of model " + claims.modelName()
                    + " is named"));
        }
        List<String> defaulted = claims.metrics().stream()
                .filter(m -> m.tolerance().origin().equals(Tolerance.DEFAULT.origin()))
                .map(ClaimedMetric::name).toList();
        if (!defaulted.isEmpty()) {
            risks.add(new Risk("default_tolerance", "no tolerance is stated for " + String.join(", ", defaulted)
                    + ": day0's default (" + Tolerance.DEFAULT.describe() + " of the claimed value) applies"));
        }
        for (String omission : claims.omissions()) {
            risks.add(new Risk("source_omits", "the source omits: " + omission));
        }
        if (recipe.seed() == null) {
            risks.add(new Risk("recipe_sets_no_seed", "the recipe sets no seed (DAY0_SEED): unless its commands "
                    + "set one, a rerun may give different numbers"));
        }
        if (recipe.compute() == null) {
            risks.add(new Risk("no_compute_shape", "the recipe names no GPU shape (compute): the quote needs one"));
        }
        if (source.kind() == SourceKind.ARXIV && source.arxiv().version() == null) {
            risks.add(new Risk("arxiv_unversioned", "the arXiv id has no version: a later revision of the paper may "
                    + "change the claims"));
        }
        if (source.kind().repository() && !source.pinnedToCommit()) {
            risks.add(new Risk("repository_not_pinned", "the repository is not pinned to a commit: its code may "
                    + "change between this plan and the run"));
        }
        if (!source.redactions().isEmpty()) {
            risks.add(new Risk("source_ref_had_secrets", "the source reference carried secrets ("
                    + source.redactions().stream().map(Redaction::describe).distinct()
                    .collect(Collectors.joining(", ")) + "); they were removed from the plan and the script; "
                    + "if the job needs them, list them under secrets in the recipe"));
        }
        return risks;
    }

    public List<String> successCriteria() {
        List<String> criteria = new ArrayList<>();
        criteria.add("the job prints " + JobScript.JOB_DONE + " (it does so only after " + Recipe.RESULTS_DIR
                + "/metrics.json is written and checked)");
        criteria.add("metrics.json holds every claimed metric as a finite number");
        for (ClaimedMetric metric : claims.metrics()) {
            criteria.add(metric.criterion());
        }
        return criteria;
    }

    public List<String> artifactsExpected() {
        List<String> artifacts = new ArrayList<>();
        String results = Recipe.RESULTS_DIR;
        artifacts.add(results + "/metrics.json");
        if (!recipe.setup().isEmpty()) {
            artifacts.add(results + "/logs/setup.log");
        }
        artifacts.add(results + "/logs/run.log");
        artifacts.add(results + "/config/source_ref.txt");
        artifacts.add(results + "/config/recipe.json");
        artifacts.add(results + "/config/claims.json");
        if (!recipe.setup().isEmpty()) {
            artifacts.add(results + "/config/setup.sh");
        }
        artifacts.add(results + "/config/run.sh");
        for (String config : recipe.configFiles()) {
            artifacts.add(results + "/config/" + config.substring(config.lastIndexOf('/') + 1));
        }
        return artifacts;
    }

    /**
     * The plan as JSON.
     *
     * @param scriptFile where the script was written, or null to embed its text
     * @param inputs the input files with their sha256 ({@code claims}, {@code recipe})
     */
    public ObjectNode toJson(String scriptFile, JsonNode inputs) {
        ObjectNode json = Json.object();
        json.put("plan", "reproduction");
        json.set("source", source.toJson());
        json.put("task", claims.task());
        json.set("dataset", claims.toJson().get("dataset"));
        json.set("model", claims.toJson().get("model"));
        ObjectNode paper = json.putObject("paper");
        paper.put("title", claims.title());
        paper.put("venue", claims.venue());
        json.set("recipe", recipe.toJson());
        ArrayNode metrics = json.putArray("claimed_metrics");
        claims.metrics().forEach(metric -> metrics.add(metric.toJson()));
        ArrayNode criteria = json.putArray("success_criteria");
        successCriteria().forEach(criteria::add);
        ArrayNode artifacts = json.putArray("artifacts_expected");
        artifactsExpected().forEach(artifacts::add);
        ArrayNode riskList = json.putArray("risks");
        for (Risk risk : risks()) {
            ObjectNode row = riskList.addObject();
            row.put("id", risk.id());
            row.put("detail", risk.detail());
        }
        ObjectNode job = json.putObject("job_script");
        job.put("file", scriptFile);
        job.put("sha256", JobScript.sha256(script));
        if (scriptFile == null) {
            job.put("text", script);
        }
        ObjectNode approval = json.putObject("approval");
        approval.put("state", "pending");
        approval.put("approved_for_spend", false);
        approval.put("how", "spend is approved only through 'day0 rockie quote', 'day0 rockie approve' and "
                + "'day0 rockie submit --script' with this job script; see docs/sota-delta.md");
        json.set("inputs", inputs);
        return json;
    }

    /** The plan for people, in Markdown. */
    public String toMarkdown(String scriptFile) {
        StringBuilder md = new StringBuilder();
        md.append("# Reproduction plan: ").append(cell(claims.title() == null ? claims.task() : claims.title()))
                .append("\n\n");
        md.append("**Nothing has been spent.** A person approves this plan, then the spend, with `day0 rockie quote`,")
                .append(" `day0 rockie approve` and `day0 rockie submit --script ")
                .append(scriptFile == null ? "job.sh" : scriptFile).append("`.\n\n");
        md.append("## Source\n\n");
        md.append("- Reference: `").append(code(source.display())).append("` (").append(source.kind().label())
                .append(")\n");
        md.append("- ").append(cell(source.detail())).append('\n');
        if (source.canonicalUrl() != null) {
            md.append("- Canonical address: ").append(cell(source.canonicalUrl())).append('\n');
        }
        if (!source.redactions().isEmpty()) {
            md.append("- Removed from the reference: ").append(source.redactions().stream().map(Redaction::describe)
                    .distinct().collect(Collectors.joining(", "))).append('\n');
        }
        md.append("\n## What is reproduced\n\n");
        md.append("- Task: ").append(cell(claims.task())).append('\n');
        md.append("- Dataset: ").append(cell(claims.datasetName()))
                .append(", version ").append(orNotStated(claims.datasetVersion()))
                .append(", split ").append(orNotStated(claims.datasetSplit())).append('\n');
        md.append("- Model: ").append(cell(claims.modelName())).append(claims.modelCheckpoint() == null ? ""
                : " (" + cell(claims.modelCheckpoint()) + ")").append('\n');
        md.append("- Seeds stated: ").append(claims.seeds().isEmpty() ? "not stated"
                : claims.seeds().stream().map(String::valueOf).collect(Collectors.joining(", "))).append('\n');
        md.append("- Hardware stated: ").append(orNotStated(claims.hardware())).append("\n\n");

        md.append("## Claimed metrics\n\n| metric | claimed | direction | tolerance | success if | where |\n")
                .append("|---|---:|---|---|---|---|\n");
        for (ClaimedMetric metric : claims.metrics()) {
            double allowance = metric.tolerance().allowance(metric.value());
            double bound = metric.direction() == Direction.HIGHER ? metric.value() - allowance
                    : metric.value() + allowance;
            md.append("| ").append(cell(metric.name())).append(" | ").append(Decimals.text(metric.value()))
                    .append(" | ").append(metric.direction().metricLabel()).append(" | ")
                    .append(metric.tolerance().describe()).append(" (").append(metric.tolerance().origin())
                    .append(") | ").append(metric.direction().comparator()).append(' ').append(Decimals.text(bound))
                    .append(" | ").append(metric.where() == null ? "" : cell(metric.where())).append(" |\n");
        }
        md.append("\n## Success criteria\n\n");
        successCriteria().forEach(c -> md.append("- ").append(cell(c)).append('\n'));

        md.append("\n## Recipe `").append(recipe.name()).append("`\n\n");
        md.append("- Working directory: `").append(code(recipe.workdir())).append("`\n");
        md.append("- Seed: ").append(recipe.seed() == null ? "not set" : "`DAY0_SEED=" + recipe.seed() + "`")
                .append('\n');
        if (recipe.compute() != null) {
            Recipe.Compute c = recipe.compute();
            md.append("- Compute: ").append(c.gpuCount()).append(" x ").append(c.gpuType())
                    .append(c.wallclockMinutes() == null ? "" : ", " + c.wallclockMinutes() + " min wall-clock")
                    .append(c.region() == null ? "" : ", region " + cell(c.region()))
                    .append(c.tier() == null ? "" : ", tier " + cell(c.tier())).append('\n');
        }
        if (!recipe.secrets().isEmpty()) {
            md.append("- Secrets taken from the job environment: ").append(recipe.secrets().stream()
                    .map(n -> "`" + n + "`").collect(Collectors.joining(", "))).append('\n');
        }
        if (!recipe.env().isEmpty()) {
            md.append("- Settings: ").append(recipe.env().entrySet().stream()
                    .map(e -> "`" + code(e.getKey() + "=" + e.getValue()) + "`").collect(Collectors.joining(", ")))
                    .append('\n');
        }
        md.append("- Metrics written to: `").append(code(recipe.metricsFile())).append("`\n");
        if (!recipe.setup().isEmpty()) {
            md.append("\nSetup:\n\n```bash\n").append(fence(String.join("\n", recipe.setup()))).append("\n```\n");
        }
        md.append("\nRun:\n\n```bash\n").append(fence(String.join("\n", recipe.run()))).append("\n```\n");

        md.append("\n## Artifacts expected\n\n");
        artifactsExpected().forEach(a -> md.append("- `").append(code(a)).append("`\n"));
        md.append("\n## Risks\n\n");
        List<Risk> risks = risks();
        if (risks.isEmpty()) {
            md.append("None found in the claims, the recipe or the reference.\n");
        }
        risks.forEach(r -> md.append("- **").append(r.id()).append("**: ").append(cell(r.detail())).append('\n'));
        md.append("\n## Job script\n\n");
        md.append("- File: `").append(code(scriptFile == null ? "(embedded in the JSON plan)" : scriptFile))
                .append("`\n");
        md.append("- sha256: `").append(JobScript.sha256(script)).append("`\n");
        return md.toString();
    }

    private static String orNotStated(String value) {
        return value == null ? "not stated" : cell(value);
    }

    /** Text inside a table cell or a list item: no pipes or line breaks that would break the layout. */
    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ");
    }

    private static String code(String text) {
        return text.replace("`", "'");
    }

    /** Command text inside a fenced block: a line of backticks in it must not close the fence. */
    private static String fence(String text) {
        return text.replace("```", "` ` `");
    }
}
