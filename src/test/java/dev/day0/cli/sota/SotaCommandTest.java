package dev.day0.cli.sota;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.sota.JobScript;
import dev.day0.sota.SotaFiles;
import dev.day0.testing.CliRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The sota commands as a user runs them: exit codes, stdout JSON, one-line errors, files written. */
public class SotaCommandTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path dir;
    private Path claims;
    private Path recipe;

    @Before
    public void setUp() {
        dir = temp.getRoot().toPath();
        claims = SotaFiles.write(dir, "claims.yaml", SotaFiles.CLAIMS);
        recipe = SotaFiles.write(dir, "recipe.yaml", SotaFiles.RECIPE);
    }

    private static CliRun run(String... args) {
        List<String> all = new ArrayList<>(List.of("sota"));
        all.addAll(List.of(args));
        return CliRun.run(Map.of(), all.toArray(String[]::new));
    }

    private static JsonNode out(CliRun run) {
        return Json.parse(run.out(), "stdout");
    }

    /** Exit 2, one plain line on stderr naming the problem, the USER_CONFIG_ERROR document on stdout. */
    private static void assertInputError(CliRun run, String message) {
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err().lines().toList()).as(run.toString()).hasSize(1);
        assertThat(run.err()).contains(message).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(out(run).path("failure_class").asText()).isEqualTo("USER_CONFIG_ERROR");
        assertThat(out(run).path("pass").asBoolean()).isFalse();
    }

    private Path metrics(String name, String json) {
        return SotaFiles.write(dir, name, json);
    }

    // ---- classify

    @Test
    public void classifyShouldPrintEachKindAndExitZero() throws Exception {
        Path pdf = SotaFiles.write(dir, "paper.pdf", "%PDF-1.4 test");
        String[][] cases = {
            {"2401.01234v2", "arxiv"}, {"https://arxiv.org/abs/hep-th/9901001", "arxiv"},
            {"https://example.org/p.pdf", "pdf_url"}, {pdf.toString(), "pdf_file"},
            {"https://github.com/o/r.git", "github_repo"}, {"https://openreview.net/forum?id=x", "paper_url"}};
        for (String[] c : cases) {
            CliRun run = run("classify", "--source-ref", c[0]);
            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(out(run).path("kind").asText()).as(c[0]).isEqualTo(c[1]);
        }
    }

    @Test
    public void classifyShouldExitOneForAnUnknownKind() {
        CliRun run = run("classify", "--source-ref", "my favourite paper");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(out(run).path("kind").asText()).isEqualTo("unknown");
        assertThat(out(run).path("arxiv_id").isNull()).isTrue();
    }

    @Test
    public void classifyShouldRefuseAMissingOrBlankRef() {
        CliRun missing = run("classify");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required option: '--source-ref=REF'");

        assertInputError(run("classify", "--source-ref", " "), "--source-ref: is missing or blank");
        assertInputError(run("classify", "--source-ref", "\n\t"), "--source-ref: is missing or blank");
        assertInputError(run("classify", "--source-ref", "2401.01234\u0000x"), "contains control characters");
        assertInputError(run("classify", "--source-ref", dir.resolve("gone.pdf").toString()), "does not exist");
    }

    @Test
    public void classifyShouldListRedactionsWithoutValues() {
        CliRun run = run("classify", "--source-ref", "https://u:pa55word1@example.org/p.pdf?sig=abcdef123");

        assertThat(run.out()).doesNotContain("pa55word1").doesNotContain("abcdef123");
        assertThat(out(run).path("redactions").toString()).contains("url_user_info").contains("\"name\":\"sig\"");
    }

    // ---- plan

    @Test
    public void planShouldWriteJsonMarkdownAndAnExecutableScript() throws Exception {
        Path outDir = dir.resolve("plan");

        CliRun run = run("plan", "--source-ref", "arXiv:2401.01234v1", "--claims", claims.toString(),
                "--recipe", recipe.toString(), "--out-dir", outDir.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).contains("nothing is spent until a person approves the quote");
        JsonNode plan = out(run);
        assertThat(plan.path("approval").path("state").asText()).isEqualTo("pending");
        assertThat(plan.path("source").path("arxiv_id").asText()).isEqualTo("2401.01234");
        String script = Files.readString(outDir.resolve("job.sh"), StandardCharsets.UTF_8);
        assertThat(plan.path("job_script").path("sha256").asText()).isEqualTo(JobScript.sha256(script));
        assertThat(script).contains("set -euo pipefail").endsWith("echo JOB_DONE\n");
        assertThat(Files.getPosixFilePermissions(outDir.resolve("job.sh"))).contains(PosixFilePermission.OWNER_EXECUTE);
        // stdout is plan.json with the meaning of the exit code added
        ObjectNode printed = plan.deepCopy();
        assertThat(printed.remove("exit").path("name").asText()).isEqualTo("OK");
        assertThat(Json.read(outDir.resolve("plan.json"))).isEqualTo(printed);
        assertThat(Files.readString(outDir.resolve("plan.md"))).startsWith("# Reproduction plan");
        assertThat(plan.path("inputs").path("claims").path("sha256").asText()).hasSize(64);
    }

    @Test
    public void planShouldEmbedTheScriptWithoutAnOutDir() {
        CliRun run = run("plan", "--source-ref", "https://github.com/o/r", "--claims", claims.toString(),
                "--recipe", recipe.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(out(run).path("job_script").path("text").asText()).startsWith("#!/usr/bin/env bash");
        assertThat(out(run).path("risks").toString()).contains("repository_not_pinned");
    }

    @Test
    public void planShouldNeverOverwriteAnEarlierPlanWithOtherContent() throws Exception {
        Path outDir = dir.resolve("plan");
        String[] args = {"plan", "--source-ref", "2401.01234v1", "--claims", claims.toString(), "--recipe",
            recipe.toString(), "--out-dir", outDir.toString()};
        assertThat(run(args).exitCode()).isZero();
        String approvedScript = Files.readString(outDir.resolve("job.sh"));

        assertThat(run(args).exitCode()).as("the same plan again").isZero();
        args[2] = "2401.01234v2";
        assertInputError(run(args), "exists with other content");
        assertThat(Files.readString(outDir.resolve("job.sh"))).isEqualTo(approvedScript);
    }

    @Test
    public void planShouldRefuseAnUnknownOrMissingSourceRef() {
        assertInputError(run("plan", "--source-ref", "the BERT paper", "--claims", claims.toString(), "--recipe",
                recipe.toString()), "--source-ref: cannot tell what the BERT paper points at");
        assertInputError(run("plan", "--source-ref", "", "--claims", claims.toString(), "--recipe",
                recipe.toString()), "--source-ref: is missing or blank");
        assertThat(run("plan", "--claims", claims.toString(), "--recipe", recipe.toString()).exitCode()).isEqualTo(2);
    }

    @Test
    public void planShouldRefuseInvalidClaimsAndRecipesNamingFileAndField() {
        Path badClaims = SotaFiles.write(dir, "bad-claims.yaml", SotaFiles.CLAIMS.replace("direction: lower",
                "direction: sideways"));
        assertInputError(run("plan", "--source-ref", "2401.01234v1", "--claims", badClaims.toString(), "--recipe",
                recipe.toString()), "bad-claims.yaml: metrics[1].direction: must be higher_is_better or "
                + "lower_is_better, found \"sideways\"");

        Path badRecipe = SotaFiles.write(dir, "bad-recipe.yaml", "run: []\n");
        assertInputError(run("plan", "--source-ref", "2401.01234v1", "--claims", claims.toString(), "--recipe",
                badRecipe.toString()), "bad-recipe.yaml: run: is empty");

        assertInputError(run("plan", "--source-ref", "2401.01234v1", "--claims", dir.resolve("nope.yaml").toString(),
                "--recipe", recipe.toString()), "nope.yaml: file not found");
    }

    @Test
    public void planShouldRefuseARecipeHoldingASecretAndWriteNothing() throws Exception {
        String token = "hf_abcdefghijklmnopqrstuvwxyz012345";
        Path leaky = SotaFiles.write(dir, "leaky.yaml", "run:\n  - huggingface-cli login --token " + token + "\n");
        Path outDir = dir.resolve("plan");

        CliRun run = run("plan", "--source-ref", "2401.01234v1", "--claims", claims.toString(), "--recipe",
                leaky.toString(), "--out-dir", outDir.toString());

        assertInputError(run, "leaky.yaml: run[0]: contains a secret value (huggingface_token)");
        assertThat(run.out() + run.err()).doesNotContain(token);
        assertThat(outDir).doesNotExist();
    }

    // ---- assess

    private CliRun assess(String metricsJson, String... more) {
        List<String> args = new ArrayList<>(List.of("assess", "--claims", claims.toString(), "--metrics",
                metrics("run/metrics.json", metricsJson).toString()));
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    private Path state(String state, boolean jobDone, String outcome) {
        return SotaFiles.write(dir, "state.json", SotaFiles.state(state, jobDone, outcome));
    }

    @Test
    public void assessShouldExitZeroOnlyWhenReproduced() {
        CliRun reproduced = assess("{\"accuracy\": 93.4, \"loss\": 0.26}");
        assertThat(reproduced.exitCode()).isZero();
        assertThat(out(reproduced).path("verdict").asText()).isEqualTo("reproduced");

        CliRun partial = assess("{\"accuracy\": 90, \"loss\": 0.26}");
        assertThat(partial.exitCode()).isEqualTo(1);
        assertThat(out(partial).path("verdict").asText()).isEqualTo("partially_reproduced");

        CliRun failed = assess("{\"accuracy\": 90, \"loss\": 0.5}");
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(out(failed).path("verdict").asText()).isEqualTo("failed_to_reproduce");
    }

    @Test
    public void assessShouldNotJudgeMissingEmptyOrUnparseableMetrics() {
        for (String bad : new String[] {"", "{", "[]", "{}", "{\"accuracy\": NaN, \"loss\": 0.2}"}) {
            CliRun run = assess(bad);
            assertThat(run.exitCode()).as(bad).isEqualTo(1);
            assertThat(out(run).path("verdict").asText()).as(bad).isEqualTo("could_not_judge");
        }
        CliRun missing = run("assess", "--claims", claims.toString(), "--metrics", dir.resolve("x.json").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(out(missing).path("detail").asText()).contains("file not found");
    }

    @Test
    public void assessShouldReportInfrastructureFromTheJobState() {
        CliRun run = assess("{\"accuracy\": 93.4, \"loss\": 0.26}", "--job-state",
                state(null, false, "INFRA_TRANSIENT").toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(out(run).path("verdict").asText()).isEqualTo("could_not_judge");
        assertThat(out(run).path("failure_class").asText()).isEqualTo("infrastructure");
        assertThat(out(run).path("triage_class").asText()).isEqualTo("INFRA_TRANSIENT");
    }

    @Test
    public void assessShouldNotJudgeAJobWithoutJobDoneNorRelabelAMismatch() {
        CliRun noJobDone = assess("{\"accuracy\": 93.4, \"loss\": 0.26}", "--job-state",
                state("DONE", false, "COULD_NOT_JUDGE").toString());
        assertThat(out(noJobDone).path("verdict").asText()).isEqualTo("could_not_judge");

        CliRun mismatch = assess("{\"accuracy\": 50, \"loss\": 0.9}", "--job-state",
                state("DONE", true, "DONE").toString());
        assertThat(mismatch.exitCode()).isEqualTo(1);
        assertThat(out(mismatch).path("verdict").asText()).isEqualTo("failed_to_reproduce");
    }

    @Test
    public void assessShouldRefuseBadClaimsStateAndOptions() {
        Path badState = SotaFiles.write(dir, "bad-state.json", SotaFiles.state("DONE", true, "MAYBE"));
        assertInputError(assess("{\"accuracy\": 93.4, \"loss\": 0.26}", "--job-state", badState.toString()),
                "bad-state.json: outcome: must be one of");
        assertInputError(assess("{}", "--job-state", dir.resolve("none.json").toString()), "none.json: file not found");
        Path badClaims = SotaFiles.write(dir, "c2.yaml", "task: t\n");
        assertInputError(run("assess", "--claims", badClaims.toString(), "--metrics", "m.json"),
                "c2.yaml: dataset: is missing");
        assertThat(run("assess", "--claims", claims.toString()).exitCode()).isEqualTo(2);
    }

    @Test
    public void assessAndReviewShouldNeverWriteOverTheirOwnInputs() throws Exception {
        Path metricsFile = metrics("run/metrics.json", "{\"accuracy\": 93.4, \"loss\": 0.26}");
        String before = Files.readString(metricsFile);

        assertInputError(run("assess", "--claims", claims.toString(), "--metrics", metricsFile.toString(), "--out",
                metricsFile.toString()), "is also an input of this command");
        assertInputError(review("{\"accuracy\": 94.0, \"loss\": 0.30}", "--out", claims.toString()),
                "is also an input of this command");
        assertThat(Files.readString(metricsFile)).isEqualTo(before);
        assertThat(Files.readString(claims)).isEqualTo(SotaFiles.CLAIMS);
    }

    @Test
    public void assessShouldWriteTheVerdictToOut() throws Exception {
        Path out = dir.resolve("verdict/assess.json");

        CliRun run = assess("{\"accuracy\": 93.4, \"loss\": 0.26}", "--out", out.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEmpty();
        assertThat(Json.read(out).path("verdict").asText()).isEqualTo("reproduced");
        assertThat(run.err()).contains("reproduced");
    }

    // ---- review

    private CliRun review(String deltaJson, String... more) {
        Path baseline = metrics("baseline/metrics.json", "{\"accuracy\": 93.0, \"loss\": 0.30}");
        Path delta = metrics("delta/metrics.json", deltaJson);
        List<String> args = new ArrayList<>(List.of("review", "--baseline", baseline.toString(), "--delta",
                delta.toString(), "--delta-description", "cosine schedule", "--claims", claims.toString()));
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    @Test
    public void reviewShouldExitZeroOnlyWhenImproved() {
        CliRun improved = review("{\"accuracy\": 94.0, \"loss\": 0.30}");
        assertThat(improved.exitCode()).isZero();
        assertThat(out(improved).path("outcome").asText()).isEqualTo("improved");
        assertThat(out(improved).path("delta_description").asText()).isEqualTo("cosine schedule");

        String[][] others = {
            {"{\"accuracy\": 93.2, \"loss\": 0.31}", "no_change", "bad-hypothesis"},
            {"{\"accuracy\": 90.0, \"loss\": 0.5}", "regressed", "bad-hypothesis"},
            {"{\"accuracy\": 90.0, \"loss\": 0.30}", "regressed", "bad-hyperparam"},
            {"{\"accuracy\": 95.0, \"loss\": 0.5}", "mixed", "bad-hyperparam"},
            {"{\"accuracy\": 93.0, \"loss\": 0.30}", "no_change", "bug"},
            {"{\"accuracy\": NaN, \"loss\": 0.30}", "could_not_judge", "bug"}};
        for (String[] c : others) {
            CliRun run = review(c[0]);
            assertThat(run.exitCode()).as(c[0]).isEqualTo(1);
            assertThat(out(run).path("outcome").asText()).as(c[0]).isEqualTo(c[1]);
            assertThat(out(run).path("failure_class").asText()).as(c[0]).isEqualTo(c[2]);
        }
    }

    @Test
    public void reviewShouldReportInfrastructureFromTheDeltaJobState() {
        CliRun run = review("{\"accuracy\": 80, \"loss\": 0.9}", "--delta-job-state",
                state(null, false, "INFRA_TRANSIENT").toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(out(run).path("outcome").asText()).isEqualTo("could_not_judge");
        assertThat(out(run).path("failure_class").asText()).isEqualTo("infrastructure");
    }

    @Test
    public void reviewShouldWorkWithDirectionsAloneAndOverrideClaims() {
        Path baseline = metrics("b/metrics.json", "{\"wer\": 10.0}");
        Path delta = metrics("d/metrics.json", "{\"wer\": 8.0}");

        CliRun run = run("review", "--baseline", baseline.toString(), "--delta", delta.toString(),
                "--delta-description", "more data", "--direction", "wer=lower");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(out(run).path("per_metric").get(0).path("direction").asText()).isEqualTo("lower_is_better");
    }

    @Test
    public void reviewShouldRefuseToTouchTheBaselineDirectory() throws Exception {
        Path baseline = metrics("baseline/metrics.json", "{\"accuracy\": 93.0, \"loss\": 0.30}");
        Path inside = metrics("baseline/delta/metrics.json", "{\"accuracy\": 94.0, \"loss\": 0.30}");
        String before = Files.readString(baseline);

        assertInputError(run("review", "--baseline", baseline.toString(), "--delta", inside.toString(),
                "--delta-description", "x", "--claims", claims.toString()), "lies inside the baseline directory");
        assertInputError(run("review", "--baseline", baseline.toString(), "--delta", baseline.toString(),
                "--delta-description", "x", "--claims", claims.toString()), "is the baseline's own metrics file");
        Path delta = metrics("delta/metrics.json", "{\"accuracy\": 94.0, \"loss\": 0.30}");
        assertInputError(run("review", "--baseline", baseline.toString(), "--delta", delta.toString(),
                "--delta-description", "x", "--claims", claims.toString(), "--out", baseline.toString()),
                "--out: ");
        assertThat(Files.readString(baseline)).isEqualTo(before);
        assertThat(dir.resolve("baseline").toFile().list()).containsExactlyInAnyOrder("metrics.json", "delta");
    }

    @Test
    public void reviewShouldWriteTheReviewToOutOutsideTheBaseline() throws Exception {
        Path out = dir.resolve("reviews/review.json");

        CliRun run = review("{\"accuracy\": 94.0, \"loss\": 0.30}", "--out", out.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(Json.read(out).path("outcome").asText()).isEqualTo("improved");
    }

    @Test
    public void reviewShouldRefuseBadInput() {
        Path baseline = metrics("baseline/metrics.json", "{\"accuracy\": 93.0, \"loss\": 0.30}");
        Path delta = metrics("delta/metrics.json", "{\"accuracy\": 94.0}");
        String b = baseline.toString();
        String d = delta.toString();

        assertInputError(run("review", "--baseline", b, "--delta", d, "--delta-description", "x"),
                "no metric to review: give --claims or --direction");
        assertInputError(run("review", "--baseline", b, "--delta", d, "--delta-description", "x", "--direction",
                "accuracy"), "--direction: expected NAME=higher or NAME=lower");
        assertInputError(run("review", "--baseline", b, "--delta", d, "--delta-description", " ", "--direction",
                "accuracy=higher"), "--delta-description: is blank");
        assertInputError(run("review", "--baseline", dir.resolve("nope/metrics.json").toString(), "--delta", d,
                "--delta-description", "x", "--direction", "accuracy=higher"), "file not found");
        Path thinBaseline = metrics("thin/metrics.json", "{\"other\": 1}");
        assertInputError(run("review", "--baseline", thinBaseline.toString(), "--delta", d, "--delta-description",
                "x", "--direction", "accuracy=higher"), "--baseline: ");
        assertThat(run("review", "--baseline", b, "--delta", d).exitCode()).isEqualTo(2);
    }

    @Test
    public void shouldPlanTheDocumentedExamples() {
        for (String recipeFile : new String[] {"examples/sota/recipe.yaml", "examples/sota/recipe-delta.yaml"}) {
            CliRun run = run("plan", "--source-ref", "https://arxiv.org/abs/1810.04805v2", "--claims",
                    "examples/sota/claims.yaml", "--recipe", recipeFile);
            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(out(run).path("claimed_metrics").get(0).path("pointer").asText()).isEqualTo("/eval_exact_match");
        }
    }

    @Test
    public void shouldBeListedUnderTheRootCommand() {
        CliRun help = CliRun.run("--help");

        assertThat(help.out()).contains("sota");
        assertThat(run("--help").out()).contains("classify", "plan", "assess", "review");
    }
}
