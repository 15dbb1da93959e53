package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import java.nio.file.Path;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ReproductionPlanTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private ReproductionPlan plan(String ref, String claimsYaml, String recipeYaml) {
        Path dir = temp.getRoot().toPath();
        SourceRef source = new SourceRefClassifier(Redactor.patternsOnly(), Map.of(), dir).classify(ref);
        Claims claims = Claims.read(SotaFiles.write(dir, "claims.yaml", claimsYaml));
        Recipe recipe = Recipe.read(SotaFiles.write(dir, "recipe.yaml", recipeYaml), source.redactor(), Map.of());
        return new ReproductionPlan(source, claims, recipe,
                JobScript.render(source, claims, recipe, "test", source.redactor()));
    }

    private static final String SPARSE_CLAIMS = """
            task: t
            dataset: {name: d}
            model: {name: m}
            metrics:
              - {name: acc, value: 80, direction: higher}
            """;

    @Test
    public void shouldListWhatTheSourceAndRecipeLeaveOutAsRisks() {
        ReproductionPlan plan = plan("https://github.com/o/r", SPARSE_CLAIMS + "omissions: [warm-up steps]\n",
                "run: [python x.py]\n");

        assertThat(plan.risks()).extracting(ReproductionPlan.Risk::id).containsExactly("no_seed",
                "no_dataset_version", "no_dataset_split", "no_hardware", "no_hyperparameters", "no_model_checkpoint",
                "default_tolerance", "source_omits", "recipe_sets_no_seed", "no_compute_shape",
                "repository_not_pinned");
        assertThat(plan.risks()).filteredOn(r -> r.id().equals("source_omits"))
                .extracting(ReproductionPlan.Risk::detail).containsExactly("the source omits: warm-up steps");
    }

    @Test
    public void shouldListNoRiskWhenEverythingIsStatedAndPinned() {
        ReproductionPlan plan = plan("https://github.com/o/r/tree/0123456789abcdef0123456789abcdef01234567",
                SotaFiles.CLAIMS, SotaFiles.RECIPE);

        assertThat(plan.risks()).isEmpty();
        assertThat(plan.toMarkdown("job.sh")).contains("None found in the claims, the recipe or the reference.");
    }

    @Test
    public void shouldFlagAnUnversionedArxivIdAndSecretsRemovedFromTheRef() {
        assertThat(plan("2401.01234", SotaFiles.CLAIMS, SotaFiles.RECIPE).risks())
                .extracting(ReproductionPlan.Risk::id).containsExactly("arxiv_unversioned");
        assertThat(plan("https://b.example/p.pdf?token=abcdefgh123", SotaFiles.CLAIMS, SotaFiles.RECIPE).risks())
                .extracting(ReproductionPlan.Risk::detail).singleElement().asString()
                .contains("credential_parameter token").doesNotContain("abcdefgh123");
    }

    @Test
    public void shouldStateSuccessCriteriaWithDirectionAndTolerance() {
        ReproductionPlan plan = plan("2401.01234v1", SotaFiles.CLAIMS, SotaFiles.RECIPE);

        assertThat(plan.successCriteria()).contains(
                "accuracy >= 93 (claimed 93.5, higher is better, tolerance absolute 0.5)",
                "loss <= 0.275 (claimed 0.25, lower is better, tolerance relative 10 %)");
        assertThat(plan.successCriteria().get(0)).contains("JOB_DONE");
    }

    @Test
    public void shouldExpectMetricsLogsAndConfigUnderTheResultsDirectory() {
        ReproductionPlan plan = plan("2401.01234v1", SotaFiles.CLAIMS, SotaFiles.RECIPE
                + "config_files: [/workspace/cfg/train.yaml]\n");

        assertThat(plan.artifactsExpected()).contains("/workspace/results/metrics.json",
                "/workspace/results/logs/setup.log", "/workspace/results/logs/run.log",
                "/workspace/results/config/recipe.json", "/workspace/results/config/train.yaml")
                .allMatch(path -> path.startsWith("/workspace/results/"));
    }

    @Test
    public void shouldRenderJsonPendingApprovalWithTheScriptHash() {
        ReproductionPlan plan = plan("2401.01234v1", SotaFiles.CLAIMS, SotaFiles.RECIPE);

        JsonNode json = plan.toJson(null, Json.object());

        assertThat(json.path("approval").path("state").asText()).isEqualTo("pending");
        assertThat(json.path("approval").path("approved_for_spend").asBoolean()).isFalse();
        assertThat(json.path("job_script").path("sha256").asText()).isEqualTo(JobScript.sha256(plan.script()));
        assertThat(json.path("job_script").path("text").asText()).isEqualTo(plan.script());
        assertThat(json.path("claimed_metrics")).hasSize(2);
        assertThat(json.path("dataset").path("version").asText()).isEqualTo("1.0");
        assertThat(plan.toJson("out/job.sh", Json.object()).path("job_script").has("text")).isFalse();
    }

    @Test
    public void shouldRenderMarkdownForAPerson() {
        String md = plan("2401.01234v1", SotaFiles.CLAIMS, SotaFiles.RECIPE).toMarkdown("out/job.sh");

        assertThat(md).startsWith("# Reproduction plan: A test paper")
                .contains("**Nothing has been spent.**", "| accuracy | 93.5 | higher_is_better |",
                        "day0 rockie submit --script out/job.sh", "Secrets taken from the job environment: `HF_TOKEN`",
                        "```bash\npython train.py");
    }
}
